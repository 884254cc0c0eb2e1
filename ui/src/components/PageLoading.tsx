import Box from "@cloudscape-design/components/box";
import StatusIndicator from "@cloudscape-design/components/status-indicator";

export default function PageLoading({ text = "Loading" }: { text?: string }) {
  return (
    <div role="status">
      <Box padding="xl" textAlign="center">
        <StatusIndicator type="loading">{text}</StatusIndicator>
      </Box>
    </div>
  );
}
