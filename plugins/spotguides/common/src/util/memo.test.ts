import { readPipelineFile } from '../pipelines/pipelineFile';
import { deepFreeze, memoizeByKey } from './memo';

describe('memoizeByKey', () => {
  it('computes a key once, errors included, and forgets the least recently used', () => {
    const calls: string[] = [];
    const f = memoizeByKey(key => {
      calls.push(key);
      if (key === 'bad') throw new Error(`no ${key}`);
      return key.toUpperCase();
    }, 2);
    expect(f('a')).toBe('A');
    expect(f('a')).toBe('A');
    expect(() => f('bad')).toThrow('no bad');
    expect(() => f('bad')).toThrow('no bad');
    expect(calls).toEqual(['a', 'bad']);
    f('a'); // 'a' is now the most recent, so 'c' evicts 'bad'
    f('c');
    expect(() => f('bad')).toThrow('no bad');
    expect(calls).toEqual(['a', 'bad', 'c', 'bad']);
  });

  it('deepFreeze freezes nested objects and arrays', () => {
    const v = deepFreeze({ a: { b: [1, { c: 2 }] } });
    expect(Object.isFrozen(v.a.b[1])).toBe(true);
    expect(() => {
      'use strict';
      (v.a.b as any).push(3);
    }).toThrow(TypeError);
  });
});

describe('readPipelineFile remembers what it parsed', () => {
  const content = `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: build
spec:
  pipelineRef: { name: build }
`;
  it('shares one frozen result per path and content, and parses changed content anew', () => {
    const first = readPipelineFile({ path: '.tekton/build.yaml', content });
    const again = readPipelineFile({ path: '.tekton/build.yaml', content });
    expect(again).toBe(first);
    expect(Object.isFrozen(first.run.spec.pipelineRef)).toBe(true);
    const changed = readPipelineFile({
      path: '.tekton/build.yaml',
      content: content.replace('name: build }', 'name: other }'),
    });
    expect(changed.run.spec.pipelineRef.name).toBe('other');
    const renamed = readPipelineFile({ path: '.tekton/ci.yaml', content });
    expect(renamed.pipeline).toBe('ci');
  });
});
