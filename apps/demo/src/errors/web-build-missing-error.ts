import { TasamError } from '@tasam/errors';

/** The server was started without the built front end (`vite build` output). */
export class WebBuildMissingError extends TasamError<'DEMO_WEB_BUILD_MISSING'> {
  constructor(readonly webRoot: string) {
    super(
      'DEMO_WEB_BUILD_MISSING',
      `${webRoot}: the front end is not built; run \`pnpm --filter @tasam/demo build\``,
    );
  }
}
