// Run by checkpoint-resume.test.ts in a new process: for each job, loads a checkpoint into fresh
// objects built from another seed, trains the remaining steps and saves the model.
import { setBackend, type BackendName } from "@tapegrad/autograd";
import { loadCheckpoint, saveSafetensors } from "@tapegrad/nn/node";
import { build, train, type OptimizerName, type SchedulerName } from "./resume";

if (process.env.TAPEGRAD_BACKEND) setBackend(process.env.TAPEGRAD_BACKEND as BackendName);
const jobs: { optimizer: OptimizerName; scheduler: SchedulerName; checkpoint: string; out: string; steps: number }[] = JSON.parse(process.argv[2]!);
for (const job of jobs) {
  const run = build(job.optimizer, job.scheduler, 999);
  const { done } = loadCheckpoint(job.checkpoint, run) as { done: number };
  train(run, job.steps);
  saveSafetensors(job.out, run.model.stateDict(), { done: String(done + job.steps), lr: String(run.optimizer.paramGroups[0]!.lr) });
}
