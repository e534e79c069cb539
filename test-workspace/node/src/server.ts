import express from 'express';
import { placeOrder } from './orders.js';
import { cartOf } from './sessions.js';
import { resize } from './thumbnails.js';
import { accessToken } from './safe.js';

const app = express();
app.use(express.json());

app.post('/orders', async (req, res) => {
  res.json({ id: await placeOrder(req.body.userId, req.body.total) }); // expect: hot-path-lock
});

app.get('/cart/:id', async (req, res) => {
  res.json(await cartOf(req.params.id)); // expect: hot-path-lock
});

app.post('/thumbnails', async (req, res) => {
  res.send(await resize(req.body));
});

app.get('/token', async (_req, res) => {
  res.json({ token: await accessToken() });
});

app.listen(3000);
