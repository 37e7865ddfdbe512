import cliProgress from "cli-progress";

export interface Progress {
  /** Marks `step` (1-based) done and shows the latest loss (and any extra named values). */
  update(step: number, loss: number, extra?: Record<string, string | number>): void;
  /** Closes the bar and prints one summary line: steps, final loss, time and speed. */
  stop(): { seconds: number; stepsPerSecond: number };
}

/** A progress bar with the running loss and the speed in steps per second. */
export function progress(label: string, total: number): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(14)} {bar} {value}/{total} | loss {loss} | {speed} steps/s | ETA {eta_formatted}{extra}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const start = performance.now();
  let last = { step: 0, loss: NaN };
  bar.start(total, 0, { loss: "-", speed: "-", extra: "" });
  return {
    update(step, loss, extra = {}) {
      last = { step, loss };
      const seconds = (performance.now() - start) / 1000;
      const extraText = Object.entries(extra).map(([k, v]) => ` | ${k} ${typeof v === "number" ? v.toFixed(4) : v}`).join("");
      bar.update(step, { loss: formatLoss(loss), speed: (step / Math.max(seconds, 1e-9)).toFixed(1), extra: extraText });
    },
    stop() {
      bar.stop();
      const seconds = (performance.now() - start) / 1000;
      const stepsPerSecond = last.step / Math.max(seconds, 1e-9);
      console.log(`${label}: ${last.step} steps in ${seconds.toFixed(1)} s (${stepsPerSecond.toFixed(1)} steps/s), final loss ${formatLoss(last.loss)}`);
      return { seconds, stepsPerSecond };
    },
  };
}

const formatLoss = (v: number) => (Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(4) : v.toExponential(2));
