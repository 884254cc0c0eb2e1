import Box from "@cloudscape-design/components/box";
import SpaceBetween from "@cloudscape-design/components/space-between";

/**
 * The frame of the pages shown outside the app's shell (sign-in, and the identity provider's return
 * at /auth/callback): the product name over the page's content, in a narrow centred column.
 */
export default function AuthFrame({ children }: { children: React.ReactNode }) {
  return (
    <main style={{ maxWidth: 560, margin: "10vh auto", padding: "0 16px" }}>
      <SpaceBetween size="l">
        <Box variant="h1" fontSize="display-l">
          Customer Central
        </Box>
        {children}
      </SpaceBetween>
    </main>
  );
}
