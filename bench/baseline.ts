/**
 * The machine's baseline for `npm run bench`: a bare Fastify hello-world, in its own process like the
 * app, so the app's throughput can be read as a share of what Node and Fastify alone manage here.
 *
 *   PORT=4100 node --import tsx bench/baseline.ts
 */
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 4100);
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
app.get('/healthz', async () => ({ status: 'ok' }));

await app.listen({ port, host: '127.0.0.1' });
process.on('SIGTERM', () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
