// The ceiling: a bare express JSON echo route, nothing else. Prints its URL.
// Plain JavaScript run by node itself (no tsx), like the production build of the
// server, so that its CPU time per request compares with the server's.
import express from 'express';

const app = express();
app.use(express.json());
app.post('/echo', (req, res) => {
  res.json(req.body);
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (typeof address === 'object' && address) process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
