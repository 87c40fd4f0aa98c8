import { useEffect, useState } from 'react';

/** A shell command with a button that copies it; the button says whether copying worked. */
export function CopyCommand({ label, command }: { label: string; command: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (copied === 'idle') return;
    const timer = window.setTimeout(() => setCopied('idle'), 2000);
    return () => window.clearTimeout(timer);
  }, [copied]);

  const copy = () => {
    if (navigator.clipboard === undefined) {
      setCopied('failed');
      return;
    }
    navigator.clipboard.writeText(command).then(
      () => setCopied('copied'),
      () => setCopied('failed'),
    );
  };

  return (
    <div className="copy-line">
      <code title={command} aria-label={label}>
        {command}
      </code>
      <button type="button" className="btn btn-small" onClick={copy} aria-label={`Copy ${label}`}>
        {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy'}
      </button>
    </div>
  );
}
