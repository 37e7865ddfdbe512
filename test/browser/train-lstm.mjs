// The same few LSTM training steps in the browser page and in Node: the losses, per backend.
export function trainLosses({ autograd, nn, optim }, backend) {
  autograd.setBackend(backend);
  autograd.manualSeed(0);
  const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 8 });
  const head = new nn.Linear(8, 1);
  const x = autograd.randn([6, 4, 3]);
  const y = x.select(2, 0).mean(0).unsqueeze(1);
  const opt = new optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 0.05 });
  const losses = [];
  for (let step = 0; step < 5; step++) {
    opt.zeroGrad();
    const loss = nn.mseLoss(head.forward(lstm.forward(x)[0].select(0, -1)), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return { backend: autograd.getBackend(), losses };
}
