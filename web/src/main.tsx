import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { ConfigErrorScreen } from './app/ConfigErrorScreen';
import { ErrorBoundary } from './app/ErrorBoundary';
import { parseWebConfig } from './config/env';
import { createFirebaseServices } from './lib/firebase';
import './styles.css';

const rootElement = document.getElementById('root');
if (rootElement === null) throw new Error('index.html has no #root element');
const root = createRoot(rootElement);

// Parsed once; a bad configuration shows every problem instead of a half-working app.
const parsed = parseWebConfig(import.meta.env);
if (!parsed.ok) {
  root.render(<ConfigErrorScreen errors={parsed.errors} />);
} else {
  const services = createFirebaseServices(parsed.config);
  root.render(
    <StrictMode>
      <ErrorBoundary>
        <App services={services} />
      </ErrorBoundary>
    </StrictMode>,
  );
}
