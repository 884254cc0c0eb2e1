import Link, { type LinkProps } from "@cloudscape-design/components/link";
import { useNavigate } from "react-router-dom";

/** A Cloudscape link that navigates inside the app (new-tab clicks still work: it is a real href). */
export default function RouterLink(props: LinkProps & { href: string }) {
  const navigate = useNavigate();
  return (
    <Link
      {...props}
      onFollow={(event) => {
        if (props.external) return;
        event.preventDefault();
        navigate(props.href);
      }}
    />
  );
}
