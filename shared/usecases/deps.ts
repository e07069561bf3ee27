import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Directory } from '../directory/directory';

/** What a use case that writes the directory and then tells the workflow needs. */
export interface OnboardingDeps {
  readonly db: Directory;
  readonly sfn: SFNClient;
}
