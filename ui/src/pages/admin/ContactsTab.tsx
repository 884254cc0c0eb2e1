import Button from "@cloudscape-design/components/button";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useState } from "react";
import { useDeleteContact, useSaveContact } from "../../api/admin";
import type { Contact } from "../../api/client";
import { useContacts } from "../../api/hub";
import ErrorAlert from "../../components/ErrorAlert";
import FormModal from "../../components/FormModal";
import SaveError from "../../components/SaveError";
import TableEmpty from "../../components/TableEmpty";
import { useEditing } from "../../components/useEditing";
import { useFieldForm } from "../../components/useFieldForm";
import { apiFieldErrors, checkEmail, checkIntRange, collect } from "../../lib/admin";
import { useAttemptError } from "../../components/useAttemptError";


export default function ContactsTab({ code }: { code: string }) {
  const contacts = useContacts(code);
  const editing = useEditing(contacts.data);

  return (
    <>
      <Table<Contact>
        wrapLines
        variant="container"
        trackBy="id"
        items={contacts.data ?? []}
        loading={contacts.isPending}
        loadingText="Loading contacts"
        header={
          <Header
            variant="h2"
            counter={contacts.data ? `(${contacts.data.length})` : undefined}
            description="In escalation order: 1 is called first."
            actions={<Button onClick={editing.create}>Add contact</Button>}
          >
            Key contacts
          </Header>
        }
        empty={<TableEmpty query={contacts}>No key contacts yet.</TableEmpty>}
        columnDefinitions={[
          { id: "order", header: "#", cell: (c) => c.escalation_order, width: 60 },
          { id: "name", header: "Name", cell: (c) => c.name, isRowHeader: true },
          { id: "role", header: "Role", cell: (c) => c.role || "—" },
          { id: "email", header: "E-mail", cell: (c) => c.email },
          { id: "phone", header: "Phone", cell: (c) => c.phone || "—" },
          {
            id: "edit",
            header: "Actions",
            cell: (c) => (
              <Button variant="inline-link" ariaLabel={`Edit ${c.name}`} onClick={() => editing.edit(c.id)}>
                Edit
              </Button>
            ),
          },
        ]}
      />
      {editing.open ? (
        <ContactModal
          key={editing.key}
          code={code}
          contact={editing.current}
          nextOrder={(contacts.data?.reduce((m, c) => Math.max(m, c.escalation_order), 0) ?? 0) + 1}
          onClose={editing.close}
          onReload={() => contacts.refetch()}
        />
      ) : null}
    </>
  );
}

const CONTACT_FIELDS = ["name", "role", "email", "phone", "escalation_order"] as const;

function ContactModal({
  code,
  contact,
  nextOrder,
  onClose,
  onReload,
}: {
  code: string;
  contact?: Contact;
  nextOrder: number;
  onClose: () => void;
  onReload: () => Promise<unknown>;
}) {
  const save = useSaveContact(code);
  const remove = useDeleteContact(code);
  const [saveError, editedSave] = useAttemptError(save.error);
  const [removeError, editedRemove] = useAttemptError(remove.error);
  const { values: v, errors, setErrors, set, dirty } = useFieldForm({
    name: contact?.name ?? "",
    role: contact?.role ?? "",
    email: contact?.email ?? "",
    phone: contact?.phone ?? "",
    escalation_order: String(contact?.escalation_order ?? nextOrder),
  }, () => {
    editedSave();
    editedRemove();
  });
  const [confirmDelete, setConfirmDelete] = useState(false);

  const submit = () => {
    const found = collect({
      name: v.name.trim() && v.name.trim().length <= 120 ? undefined : "Name must be 1-120 characters.",
      email: checkEmail(v.email),
      escalation_order: checkIntRange(v.escalation_order, 1, 1000, "Escalation order"),
    });
    setErrors(found);
    if (Object.keys(found).length) return;
    const fields = {
      name: v.name.trim(),
      role: v.role.trim(),
      email: v.email.trim(),
      phone: v.phone.trim() || null,
      escalation_order: Number(v.escalation_order),
    };
    save.mutate(
      contact ? { kind: "update", id: contact.id, body: { ...fields, version: contact.version ?? null } } : { kind: "create", body: fields },
      { onSuccess: onClose, onError: (err) => setErrors(apiFieldErrors(err, CONTACT_FIELDS)) },
    );
  };

  return (
    <FormModal
      header={contact ? `Edit ${contact.name}` : "Add contact"}
      onClose={onClose}
      onSubmit={submit}
      submitText={contact ? "Save contact" : "Add contact"}
      submitting={save.isPending}
      dirty={dirty}
      actions={
        contact ? (
          <Button
            loading={remove.isPending}
            onClick={() => {
              if (!confirmDelete) return setConfirmDelete(true);
              remove.mutate(contact.id, { onSuccess: onClose });
            }}
          >
            {confirmDelete ? "Confirm: delete this contact" : "Delete"}
          </Button>
        ) : null
      }
    >
      <Form>
        <SpaceBetween size="m">
          <SaveError error={saveError} onReload={onReload} />
          {removeError ? <ErrorAlert header="Not deleted" error={removeError} /> : null}
          <FormField label="Name" errorText={errors.name}>
            <Input value={v.name} onChange={({ detail }) => set("name", detail.value)} />
          </FormField>
          <FormField label="Role at the customer" errorText={errors.role}>
            <Input value={v.role} placeholder="Head of Platform" onChange={({ detail }) => set("role", detail.value)} />
          </FormField>
          <FormField label="E-mail" errorText={errors.email}>
            <Input type="email" value={v.email} onChange={({ detail }) => set("email", detail.value)} />
          </FormField>
          <FormField label="Phone (optional)" errorText={errors.phone}>
            <Input inputMode="tel" value={v.phone} onChange={({ detail }) => set("phone", detail.value)} />
          </FormField>
          <FormField label="Escalation order" constraintText="1 is called first." errorText={errors.escalation_order}>
            <Input
              type="number"
              inputMode="numeric"
              value={v.escalation_order}
              onChange={({ detail }) => set("escalation_order", detail.value)}
            />
          </FormField>
        </SpaceBetween>
      </Form>
    </FormModal>
  );
}
