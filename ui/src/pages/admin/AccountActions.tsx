// The account row's further actions on the admin Accounts tab: move to another customer, end open
// breakglass access, delete. Each is a dialog; destructive ones ask first.
import Box from "@cloudscape-design/components/box";
import FormField from "@cloudscape-design/components/form-field";
import type { SelectProps } from "@cloudscape-design/components/select";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useState } from "react";
import { useDeleteAccount, useMoveAccount } from "../../api/admin";
import type { Account } from "../../api/client";
import { ApiError } from "../../api/errors";
import ConfirmModal from "../../components/ConfirmModal";
import FormModal from "../../components/FormModal";
import SaveError from "../../components/SaveError";
import CustomerSelect from "../../components/CustomerSelect";
import { useAttemptError } from "../../components/useAttemptError";

export const accountLabel = (a: Account) => `${a.name} (${a.id})`;

/** What an `open_access` refusal means on this page. */
function openAccessHint(err: unknown): React.ReactNode {
  return err instanceof ApiError && err.code === "open_access"
    ? "End that access first: close this dialog, then choose End open access in the account's Actions menu."
    : undefined;
}

export function DeleteAccountModal({
  code,
  account,
  onClose,
  onDeleted,
}: {
  code: string;
  account: Account;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const remove = useDeleteAccount(code);
  return (
    <ConfirmModal
      header={`Delete ${accountLabel(account)}?`}
      confirmText="Delete account"
      keepText="Keep account"
      busy={remove.isPending}
      error={remove.error}
      errorHeader="Not deleted"
      hint={openAccessHint(remove.error)}
      onConfirm={() => remove.mutate({ id: account.id, version: account.version }, { onSuccess: onDeleted })}
      onClose={onClose}
    >
      The account leaves the hub: it is no longer in anyone&apos;s profiles, quick find or breakglass requests, and its
      console links go. Its audit history stays. This cannot be undone; to use the account again, add it again.
    </ConfirmModal>
  );
}

export function MoveAccountModal({
  code,
  account,
  onClose,
  onMoved,
  onReload,
}: {
  code: string;
  account: Account;
  onClose: () => void;
  onMoved: (to: SelectProps.Option) => void;
  onReload: () => Promise<unknown>;
}) {
  const move = useMoveAccount(code);
  const [to, setTo] = useState<SelectProps.Option | null>(null);
  const [tried, setTried] = useState(false);
  const [moveError, edited] = useAttemptError(move.error);
  const submit = () => {
    setTried(true);
    if (!to?.value) return;
    move.mutate({ id: account.id, to: to.value, version: account.version }, { onSuccess: () => onMoved(to) });
  };
  return (
    <FormModal
      header={`Move ${accountLabel(account)} to another customer`}
      onClose={onClose}
      onSubmit={submit}
      submitText="Move account"
      submitting={move.isPending}
      dirty={!!to}
    >
      <SpaceBetween size="m">
        <SaveError error={moveError} onReload={onReload} />
        {openAccessHint(moveError) ? <Box>{openAccessHint(moveError)}</Box> : null}
        <FormField
          label="New customer"
          description={`Now: ${code}. Find the customer by name or code.`}
          errorText={tried && !to ? "Choose the customer the account moves to." : undefined}
        >
          <CustomerSelect
            exclude={code}
            selected={to}
            onChange={(option) => {
              edited();
              setTo(option);
            }}
            invalid={tried && !to}
          />
        </FormField>
        <Box variant="p">
          What moves with it: the account&apos;s id, name, alias, region, environment, access settings and flags, and its
          history (the move is recorded under both customers). From then on the new customer&apos;s team, approval policy
          and console links apply: its team sees it in their profiles (names built with {"{customer}"} change at the
          next <Box variant="code">cc profiles sync</Box>), and this customer&apos;s team no longer does. Open breakglass
          access must end first.
        </Box>
      </SpaceBetween>
    </FormModal>
  );
}
