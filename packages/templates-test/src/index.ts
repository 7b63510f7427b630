/**
 * Test helpers for the spotguide templates: render a skeleton as the scaffolder
 * does, lint Tekton files. Never part of the product.
 *
 * @packageDocumentation
 */
export * from './render';
export * from './tektonLint';
