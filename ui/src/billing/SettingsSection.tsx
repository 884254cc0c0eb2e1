import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import KeyValuePairs from "@cloudscape-design/components/key-value-pairs";
import RadioGroup from "@cloudscape-design/components/radio-group";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useBillingSettings, usePutBillingSettings, type BillingSettings } from "../api/billing";
import SaveForm from "../components/SaveForm";
import { useFieldForm } from "../components/useFieldForm";
import VersionedForm, { type SavedFlag } from "../components/VersionedForm";
import { apiFieldErrors } from "../lib/admin";
import { checkThresholds, formatRatio, impactLabel, impactText, ratioToPercentText } from "../lib/billing";

const METRICS = [
  {
    value: "UnblendedCost",
    label: "Unblended",
    description: "What each day was charged (the default).",
  },
  {
    value: "AmortizedCost",
    label: "Amortised",
    description: "Upfront Reserved Instance and Savings Plans fees spread over their term.",
  },
] as const;

const FIELDS = ["metric", "min_impact", "min_relative"] as const;

/**
 * The cost metric kept and the cost-jump thresholds: admins edit, everyone else reads.
 * `currencies`: every currency the customer is billed in, largest first (none before any cost).
 * The absolute threshold is one number applied to each (account, service) series in its own
 * billing currency, so it is shown in each of them, never in a currency the customer lacks.
 */
export default function SettingsSection({ code, admin, currencies }: { code: string; admin: boolean; currencies: string[] }) {
  const settings = useBillingSettings(code);
  return (
    <Container
      header={
        <Header variant="h2" description="Which cost is kept, and how big a jump must be to be raised as an anomaly.">
          Billing settings
        </Header>
      }
    >
      <VersionedForm
        query={settings}
        loading="Loading the billing settings"
        form={({ data, ...rest }) =>
          admin ? (
            <SettingsForm code={code} settings={data} currencies={currencies} {...rest} />
          ) : (
            <SettingsView settings={data} currencies={currencies} />
          )
        }
      />
    </Container>
  );
}

/** Said while the metric changed since the last fetch (the API's `backfill_pending`). */
function BackfillNote({ settings }: { settings: BillingSettings }) {
  if (!settings.backfill_pending) return null;
  return (
    <Alert type="info" header="The next fetch reads the last 13 months again">
      The cost metric changed since this customer's costs were last fetched: the next fetch (the daily one, or Fetch costs now)
      reads everything Cost Explorer keeps again in the new metric. Until then the fetched costs shown are in the previous one;
      imported costs keep the metric they were imported in until imported again.
    </Alert>
  );
}

function SettingsView({ settings, currencies }: { settings: BillingSettings; currencies: string[] }) {
  const metric = METRICS.find((m) => m.value === settings.metric) ?? METRICS[0];
  return (
    <SpaceBetween size="m">
      <BackfillNote settings={settings} />
      <KeyValuePairs
        columns={3}
        items={[
          { label: "Cost metric", value: metric.label },
          { label: "Smallest impact raised", value: impactText(settings.thresholds?.min_impact ?? 50, currencies) },
          { label: "Smallest relative jump raised", value: formatRatio(settings.thresholds?.min_relative ?? 0.2).replace(/^\+/, "") },
        ]}
      />
    </SpaceBetween>
  );
}

function SettingsForm({
  code,
  settings,
  currencies,
  onReload,
  saved,
  setSaved,
}: {
  code: string;
  settings: BillingSettings;
  currencies: string[];
  onReload: () => Promise<unknown>;
} & SavedFlag) {
  const put = usePutBillingSettings(code);
  const { values: v, errors, setErrors, set, dirty } = useFieldForm(
    {
      metric: settings.metric ?? "UnblendedCost",
      min_impact: String(settings.thresholds?.min_impact ?? 50),
      min_relative: ratioToPercentText(settings.thresholds?.min_relative ?? 0.2),
    },
    () => setSaved(false),
  );
  const submit = () => {
    const found = checkThresholds(v.min_impact, v.min_relative);
    setErrors(found);
    if (Object.keys(found).length) return;
    setSaved(false);
    put.mutate(
      {
        version: settings.version ?? 0,
        metric: v.metric,
        thresholds: { min_impact: Number(v.min_impact), min_relative: Number(v.min_relative) / 100 },
      },
      {
        onSuccess: () => setSaved(true),
        onError: (err) => {
          const e = apiFieldErrors(err, FIELDS);
          setErrors(e);
        },
      },
    );
  };
  return (
    <SaveForm
      onSubmit={submit}
      saveText="Save settings"
      savedText="Settings saved."
      saved={saved}
      saving={put.isPending}
      error={put.error}
      onReload={onReload}
      dirty={dirty}
    >
      <SpaceBetween size="m">
        <BackfillNote settings={settings} />
        <ColumnLayout columns={3}>
          <FormField
            label="Cost metric"
            description="A change makes the next fetch read the last 13 months again in the new metric."
            errorText={errors.metric}
          >
            <RadioGroup
              value={v.metric}
              items={METRICS.map((m) => ({ value: m.value, label: m.label, description: m.description }))}
              onChange={({ detail }) => set("metric", detail.value as BillingSettings["metric"] & string)}
              ariaLabel="Cost metric"
            />
          </FormField>
          <FormField
            label={impactLabel(currencies)}
            description={
              currencies.length > 1
                ? "Money above expected over the episode, in each account and service's own currency (the same number in each); smaller jumps are not raised."
                : "Money above expected over the episode; smaller jumps are not raised."
            }
            errorText={errors.min_impact}
          >
            <Input type="number" inputMode="decimal" value={v.min_impact} onChange={({ detail }) => set("min_impact", detail.value)} />
          </FormField>
          <FormField
            label="Smallest relative jump (%)"
            description="Above expected; day-to-day noise stays within 10-20 %."
            errorText={errors.min_relative}
          >
            <Input type="number" inputMode="decimal" value={v.min_relative} onChange={({ detail }) => set("min_relative", detail.value)} />
          </FormField>
        </ColumnLayout>
        <Box variant="small" color="text-body-secondary">
          Both thresholds must be reached for a jump to be raised. Version {settings.version ?? 0}
          {(settings.version ?? 0) === 0 ? " (the defaults)" : ""}.
        </Box>
      </SpaceBetween>
    </SaveForm>
  );
}
