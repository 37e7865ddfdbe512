export { type Reduction } from "./reduction";
export { crossEntropy, nllLoss, type CrossEntropyOptions, type NllOptions } from "./classification";
export { mseLoss, l1Loss, smoothL1Loss, huberLoss } from "./regression";
export { binaryCrossEntropyWithLogits, binaryCrossEntropy, multiLabelSoftMarginLoss } from "./binary";
export { klDiv, gaussianNllLoss, poissonNllLoss } from "./distribution";
export { cosineEmbeddingLoss, marginRankingLoss, hingeEmbeddingLoss, tripletMarginLoss } from "./embedding";
export { ctcLoss, type CtcLossOptions } from "./ctc/loss";
export { ctcGreedyDecode, type CtcHypothesis } from "./ctc/greedy";
export { ctcBeamSearch, type CtcBeamSearchOptions } from "./ctc/beam";
