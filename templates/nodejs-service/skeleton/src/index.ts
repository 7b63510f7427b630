import { createApp } from './app.ts';

const port = Number(process.env.PORT ?? 8080);

const server = createApp().listen(port, () => {
  console.log(`${{ values.name }} listening on ${port}`);
});

// Kubernetes sends SIGTERM before it stops the pod: finish open requests first.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
