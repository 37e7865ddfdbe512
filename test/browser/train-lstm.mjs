// The same few LSTM training steps in the browser page and in Node: the losses, per backend.
/** A size whose products (from 2²¹ multiply-adds) run on worker threads where there are any. */
export const LARGE = { inputSize: 64, hiddenSize: 256, batch: 32, seq: 6, steps: 3 };

export function trainLosses({ autograd, nn, optim }, backend, { inputSize = 3, hiddenSize = 8, batch = 4, seq = 6, steps = 5 } = {}) {
  autograd.setBackend(backend);
  autograd.manualSeed(0);
  const lstm = new nn.LSTM({ inputSize, hiddenSize });
  const head = new nn.Linear(hiddenSize, 1);
  const x = autograd.randn([seq, batch, inputSize]);
  const y = x.select(2, 0).mean(0).unsqueeze(1);
  const opt = new optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 0.05 });
  const losses = [];
  for (let step = 0; step < steps; step++) {
    opt.zeroGrad();
    const loss = nn.mseLoss(head.forward(lstm.forward(x)[0].select(0, -1)), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return { backend: autograd.getBackend(), losses };
}
