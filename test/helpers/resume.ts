import { Generator, manualSeed, randn, type Tensor } from "@tapegrad/autograd";
import { Dropout, Linear, Sequential, Tanh, mseLoss } from "@tapegrad/nn";
import { Adagrad, Adam, AdamW, CosineAnnealingLR, RMSprop, SGD, StepLR, type LRScheduler, type Optimizer } from "@tapegrad/optim";

/** A small model with dropout (drawn from the default generator), trained on inputs with noise from its own generator. */
export const OPTIMIZERS = {
  "SGD(momentum)": (p: Tensor[]) => new SGD(p, { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 }),
  Adam: (p: Tensor[]) => new Adam(p, { lr: 0.01 }),
  AdamW: (p: Tensor[]) => new AdamW(p, { lr: 0.01, weightDecay: 0.05 }),
  RMSprop: (p: Tensor[]) => new RMSprop(p, { lr: 0.01, momentum: 0.5, centered: true }),
  Adagrad: (p: Tensor[]) => new Adagrad(p, { lr: 0.1, lrDecay: 0.01 }),
};
export const SCHEDULERS = {
  StepLR: (o: Optimizer<{ lr: number }>) => new StepLR(o, { stepSize: 3, gamma: 0.5 }),
  CosineAnnealingLR: (o: Optimizer<{ lr: number }>) => new CosineAnnealingLR(o, { tMax: 5, etaMin: 1e-3 }),
};
export type OptimizerName = keyof typeof OPTIMIZERS;
export type SchedulerName = keyof typeof SCHEDULERS;

export interface Run {
  model: Sequential;
  optimizer: Optimizer<{ lr: number }>;
  scheduler: LRScheduler;
  generator: Generator;
}

/** Fresh objects; initSeed seeds the default generator, from which the weights are drawn. */
export function build(optimizer: OptimizerName, scheduler: SchedulerName, initSeed: number): Run {
  manualSeed(initSeed);
  const model = new Sequential(new Linear(3, 8), new Tanh(), new Dropout(0.25), new Linear(8, 2));
  const opt = OPTIMIZERS[optimizer](model.parameters()) as unknown as Optimizer<{ lr: number }>;
  return { model, optimizer: opt, scheduler: SCHEDULERS[scheduler](opt), generator: new Generator(initSeed + 1) };
}

const data = new Generator(12345);
const x = randn([5, 3], { generator: data });
const y = randn([5, 2], { generator: data });

export function train(run: Run, steps: number): void {
  for (let i = 0; i < steps; i++) {
    run.optimizer.zeroGrad();
    const noisy = x.add(randn(x.shape, { generator: run.generator }).mul(0.1));
    mseLoss(run.model.forward(noisy), y).backward();
    run.optimizer.step();
    run.scheduler.step();
  }
}
