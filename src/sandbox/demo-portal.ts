// Starts the portal for the demo. The portal itself is src/service (issue 7); until it is there the
// demo serves no portal and says so.
import type { Context } from '../cli/context';

export interface RunningPortal { url: string; close(): Promise<void> }

export async function startDemoPortal(ctx: Context, _port: number): Promise<RunningPortal | undefined> {
  ctx.output.warn('the portal is not part of this build yet: use the command line');
  return undefined;
}
