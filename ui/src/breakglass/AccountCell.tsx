import Box from "@cloudscape-design/components/box";

/** An account in a table: its name and id, and whose it is (the customer) underneath. */
export default function AccountCell({ request: r }: { request: { account_name: string; account_id: string; customer: string } }) {
  return (
    <div style={{ overflowWrap: "anywhere" }}>
      <div>
        {r.account_name} ({r.account_id})
      </div>
      <Box variant="small" color="text-body-secondary">
        Customer {r.customer}
      </Box>
    </div>
  );
}
