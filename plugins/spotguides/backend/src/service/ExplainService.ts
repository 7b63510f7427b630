import type {
  ExplainRequest,
  ExplainResponse,
} from '@pipeline-portal/plugin-spotguides-common';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { GitHubClients } from '../github/octokit';
import { PipelineReadLimitError, TektonReader } from '../github/TektonReader';
import type { TriggerCore } from '../engine/TriggerEngine';
import { TransientError } from '../engine/errors';

/**
 * Explains, for a repository, commit and event, whether each pipeline would
 * run and which rule decided, from the `.tekton/` files at that commit.
 */
export class ExplainService {
  constructor(
    private readonly options: {
      github: GitHubClients;
      reader: TektonReader;
      core: TriggerCore;
    },
  ) {}

  async explain(req: ExplainRequest): Promise<ExplainResponse> {
    const client = await this.options.github.forRepository(
      this.options.github.webUrl(req.repository),
    );
    let files;
    try {
      files = await this.options.reader.read(client, req.repository, req.sha);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404 || status === 422) {
        throw new NotFoundError(
          `no commit ${req.sha} in ${req.repository} (or no access to it)`,
        );
      }
      if (error instanceof TransientError) {
        throw new ServiceUnavailableError(error.message);
      }
      if (error instanceof PipelineReadLimitError) {
        throw new InputError(error.message);
      }
      throw error;
    }
    const pipelines = this.options.core.explain(files, {
      name: req.event,
      ...(req.action ? { action: req.action } : {}),
      ...(req.ref ? { ref: req.ref } : {}),
      ...(req.baseRef ? { baseRef: req.baseRef } : {}),
    });
    return {
      repository: req.repository,
      sha: req.sha,
      event: req.event,
      pipelines,
    };
  }
}
