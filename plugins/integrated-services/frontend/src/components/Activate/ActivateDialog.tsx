import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Button from '@material-ui/core/Button';
import type {
  ActivateRequest,
  JsonObject,
  PreviewResult,
  ServiceInstanceView,
  ServiceSummary,
} from '@pipeline-portal/plugin-integrated-services-common';
import type { ErrorSchema, RJSFSchema } from '@rjsf/utils';
import { useRef, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { integratedServicesApiRef } from '../../api';
import { FormAlert, FormDialog } from '@pipeline-portal/frontend-kit';
import { groupIssues, pointerIssues, specErrorSchema } from '../serverErrors';
import { errorMessage } from '../util';
import { overridesText, parseOverrides } from './overrides';
import { PreviewPanel } from './PreviewPanel';
import { pruneUntouched, specValid } from './specData';
import { SpecForm, SpecFormHandle } from './SpecForm';

interface FieldProblems {
  spec: ErrorSchema;
  overrides?: string;
  version?: string;
}

const NO_PROBLEMS: FieldProblems = { spec: {} };

/**
 * Activate a service on a cluster, or update the spec and overrides of an
 * active one: the generated form, then a preview of the plan and values
 * diff, then the write. A 400 sends the user back to the form with each
 * named field marked.
 */
export function ActivateDialog(props: {
  cluster: string;
  service: ServiceSummary;
  /** Present on update (and adopt). */
  instance?: ServiceInstanceView;
  adopt?: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const { cluster, service, instance } = props;
  const api = useApi(integratedServicesApiRef);
  const definition = useAsync(
    () => api.getService(service.name),
    [api, service.name],
  );
  const [version, setVersion] = useState(
    instance?.desired.version ||
      instance?.status.installedVersion ||
      service.newestVersion,
  );
  const [spec, setSpec] = useState<JsonObject>(instance?.desired.spec ?? {});
  const [overrides, setOverrides] = useState(
    overridesText(instance?.desired.overrides),
  );
  const [problems, setProblems] = useState<FieldProblems>(NO_PROBLEMS);
  const [alert, setAlert] = useState<FormAlert>();
  const [preview, setPreview] = useState<PreviewResult>();
  const [submitting, setSubmitting] = useState(false);
  const formRef = useRef<SpecFormHandle>(null);
  const updating = !!instance;
  const versions = definition.value?.spec.versions ?? [];

  /** Marks the fields a refused request names; the rest in the alert. */
  const refused = (error: unknown) => {
    const issues = groupIssues(pointerIssues(error));
    const named =
      issues.spec.length + issues.overrides.length + issues.version.length;
    if (named) {
      setPreview(undefined);
      setProblems({
        spec: specErrorSchema(issues.spec),
        overrides: issues.overrides
          .map(i => `${i.pointer} ${i.message}`)
          .join('; '),
        version: issues.version.map(i => i.message).join('; ') || undefined,
      });
    }
    setAlert({
      severity: 'error',
      text: named
        ? `The request was refused: ${
            issues.other.map(i => `${i.pointer} ${i.message}`).join('; ') ||
            'see the marked fields.'
          }`
        : errorMessage(error),
    });
  };

  const request = (): ActivateRequest | undefined => {
    const parsed = parseOverrides(overrides);
    const schema = versions.find(v => v.version === version)?.specSchema;
    const body = schema ? pruneUntouched(schema as RJSFSchema, spec) : spec;
    // The form marks the fields at fault only when the pruned spec fails.
    const valid =
      !schema ||
      specValid(schema as RJSFSchema, body) ||
      (formRef.current?.validateForm() ?? true);
    setProblems({
      spec: {},
      overrides: parsed.ok ? undefined : parsed.error,
    });
    if (!parsed.ok || !valid) {
      setAlert({ severity: 'error', text: 'Correct the marked fields.' });
      return undefined;
    }
    return {
      version,
      spec: body,
      overrides: parsed.value,
      enabled: true,
      ...(props.adopt ? { adopt: true } : {}),
    };
  };

  const run = async (fn: () => Promise<void>) => {
    setSubmitting(true);
    setAlert(undefined);
    try {
      await fn();
    } catch (e) {
      refused(e);
    } finally {
      setSubmitting(false);
    }
  };

  const onSubmit = () => {
    if (!preview) {
      const body = request();
      if (!body) return;
      run(async () => {
        setPreview(await api.previewInstance(cluster, service.name, body));
      });
      return;
    }
    const body = request();
    if (!body) return;
    run(async () => {
      await api.putInstance(cluster, service.name, body);
      props.onDone();
    });
  };

  let verb = updating ? 'Update' : 'Activate';
  if (props.adopt) verb = 'Adopt';
  const title = `${verb} ${service.title ?? service.name} on ${cluster}`;

  return (
    <FormDialog
      open
      title={title}
      testId="activate-dialog"
      maxWidth="md"
      submitLabel={preview ? verb : 'Preview'}
      form={{ submitting, alert }}
      blocked={
        definition.value && !versions.length
          ? 'The service offers no version.'
          : undefined
      }
      onClose={props.onClose}
      onSubmit={onSubmit}
      actions={
        preview && (
          <Button
            onClick={() => setPreview(undefined)}
            data-testid="activate-dialog-back"
          >
            Back
          </Button>
        )
      }
    >
      {definition.loading && <Progress />}
      {definition.error && <ResponseErrorPanel error={definition.error} />}
      {definition.value && preview && <PreviewPanel preview={preview} />}
      {/* Hidden, not unmounted, during the preview: the form keeps its state. */}
      <div style={preview ? { display: 'none' } : undefined}>
        {definition.value && (
          <SpecForm
            versions={versions}
            version={version}
            versionFixed={updating}
            versionError={problems.version}
            spec={spec}
            specErrors={problems.spec}
            overrides={overrides}
            overridesError={problems.overrides}
            formRef={formRef}
            onVersion={v => {
              setVersion(v);
              setProblems(NO_PROBLEMS);
            }}
            onSpec={setSpec}
            onOverrides={setOverrides}
          />
        )}
      </div>
    </FormDialog>
  );
}
