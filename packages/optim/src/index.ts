/**
 * Optimizers, gradient clipping and learning-rate schedules, with PyTorch's update rules.
 * @module @tapegrad/optim
 */
export { Optimizer, type ParamGroup, type ParamGroupInput, type Params, type ParamState, type OptimizerStateDict } from "./optimizer";
export { SGD, type SGDOptions } from "./sgd";
export { Adam, AdamW, type AdamOptions } from "./adam";
export { RMSprop, type RMSpropOptions } from "./rmsprop";
export { Adagrad, type AdagradOptions } from "./adagrad";
export { clipGradNorm, clipGradValue, type ClipGradNormOptions, type NormType } from "./clip";
export { LRScheduler, type AnyOptimizer, type SchedulerStateDict } from "./schedulers/scheduler";
export { StepLR, MultiStepLR, ExponentialLR } from "./schedulers/step";
export { CosineAnnealingLR } from "./schedulers/cosine";
export { LinearLR } from "./schedulers/linear";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions, type PlateauStateDict } from "./schedulers/plateau";
export { NAdam, type NAdamOptions } from "./nadam";
export { RAdam, type RAdamOptions } from "./radam";
export { Adamax, type AdamaxOptions } from "./adamax";
export { Adadelta, type AdadeltaOptions } from "./adadelta";
export { Rprop, type RpropOptions } from "./rprop";
export { ASGD, type ASGDOptions } from "./asgd";
export { type Scheduler } from "./schedulers/scheduler";
export { LambdaLR, MultiplicativeLR, type LrLambda } from "./schedulers/lambda";
export { ConstantLR, PolynomialLR } from "./schedulers/constant";
export { CyclicLR, type CyclicLROptions } from "./schedulers/cyclic";
export { OneCycleLR, type OneCycleLROptions } from "./schedulers/one-cycle";
export { CosineAnnealingWarmRestarts } from "./schedulers/warm-restarts";
export { SequentialLR, ChainedScheduler } from "./schedulers/sequential";
export { LBFGS, type LBFGSOptions } from "./lbfgs";
