// A node type's description: plain text where ``name`` or `name` is shown as code.

export function DocText({ text }: { text: string }) {
  const parts = text.split(/``([^`]+)``|`([^`]+)`/);
  return (
    <>
      {parts.map((p, i) => {
        if (p === undefined) return null;
        return i % 3 === 0 ? p : <code key={i}>{p}</code>;
      })}
    </>
  );
}
