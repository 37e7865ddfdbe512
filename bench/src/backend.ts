import { kernels } from "@tapegrad/autograd";

/** Which tapegrad kernels the run used (TAPEGRAD_BACKEND chooses; auto by default). */
export async function backendInfo(): Promise<string> {
  return process.env.TAPEGRAD_BACKEND ?? `auto (${kernels.name})`;
}
