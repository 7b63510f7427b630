/*
 * Prometheus metrics, as Backstage documents it: OpenTelemetry's meter
 * provider is registered before any plugin creates its meters (this module is
 * the entry point's first import), and the Prometheus exporter serves them at
 * http://<host>:<PORTAL_METRICS_PORT, 9464>/metrics. PORTAL_METRICS_PORT=off
 * turns it off.
 */
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

const setting = process.env.PORTAL_METRICS_PORT ?? '9464';
if (setting !== 'off') {
  const exporter = new PrometheusExporter({
    port: Number(setting),
    host: process.env.PORTAL_METRICS_HOST ?? '0.0.0.0',
  });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
}
