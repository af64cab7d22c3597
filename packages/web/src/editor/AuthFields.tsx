import { Field } from '../components/ui.js';
import { AUTH_SECRET_FIELD, type AuthType, type FormSectionProps } from './form-model.js';

// How hookd authenticates to the receiver. The secret of each kind (password, token, client
// secret, private key) is write-only: never shown, left empty to keep the stored one.

const KINDS: Array<{ value: AuthType | ''; label: string }> = [
  { value: '', label: 'None' },
  { value: 'basic', label: 'HTTP Basic' },
  { value: 'bearer', label: 'Bearer token' },
  { value: 'oauth2', label: 'OAuth 2.0 client credentials' },
  { value: 'mtls', label: 'Client certificate (mTLS)' },
];

const SECRET_LABEL: Record<AuthType, string> = { basic: 'Password', bearer: 'Token', oauth2: 'Client secret', mtls: 'Private key (PEM)' };

export function AuthFields({ form, update, problem }: FormSectionProps) {
  const type = form.authType;
  const keeping = type !== '' && type === form.authStoredType;
  const secretHint = keeping ? 'Stored and never shown: leave empty to keep it, or type a new one.' : 'Write-only: it is never shown again.';
  return (
    <fieldset className="section">
      <legend>Authentication</legend>
      <div className="grid-2">
        <Field label="Authenticate to the receiver with" error={problem('/auth/type')} className="span-2">
          {(id) => (
            <select id={id} value={type} onChange={(e) => update({ authType: e.target.value as AuthType | '', authSecret: '' })}>
              {KINDS.map((kind) => (
                <option key={kind.value} value={kind.value}>
                  {kind.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {type === 'basic' && (
          <Field label="Username" error={problem('/auth/username')}>
            {(id, described) => <input id={id} aria-describedby={described} autoComplete="off" value={form.authUsername} onChange={(e) => update({ authUsername: e.target.value })} />}
          </Field>
        )}
        {type === 'oauth2' && (
          <>
            <Field label="Token URL" error={problem('/auth/tokenUrl')} className="span-2">
              {(id, described) => <input id={id} aria-describedby={described} type="url" className="mono" placeholder="https://auth.example.com/oauth/token" value={form.authTokenUrl} onChange={(e) => update({ authTokenUrl: e.target.value })} />}
            </Field>
            <Field label="Client ID" error={problem('/auth/clientId')}>
              {(id, described) => <input id={id} aria-describedby={described} autoComplete="off" value={form.authClientId} onChange={(e) => update({ authClientId: e.target.value })} />}
            </Field>
            <Field label="Scope" error={problem('/auth/scope')} hint="Optional.">
              {(id, described) => <input id={id} aria-describedby={described} value={form.authScope} onChange={(e) => update({ authScope: e.target.value })} />}
            </Field>
            <Field label="Audience" error={problem('/auth/audience')} hint="Optional.">
              {(id, described) => <input id={id} aria-describedby={described} value={form.authAudience} onChange={(e) => update({ authAudience: e.target.value })} />}
            </Field>
          </>
        )}
        {type === 'mtls' && (
          <>
            <Field label="Client certificate (PEM)" error={problem('/auth/certPem')} className="span-2">
              {(id, described) => <textarea id={id} aria-describedby={described} className="mono" rows={4} spellCheck={false} placeholder="-----BEGIN CERTIFICATE-----" value={form.authCertPem} onChange={(e) => update({ authCertPem: e.target.value })} />}
            </Field>
            <Field label="CA of the receiver's certificate (PEM)" error={problem('/auth/caPem')} hint="Optional: for a receiver whose certificate a private CA signed." className="span-2">
              {(id, described) => <textarea id={id} aria-describedby={described} className="mono" rows={3} spellCheck={false} value={form.authCaPem} onChange={(e) => update({ authCaPem: e.target.value })} />}
            </Field>
          </>
        )}
        {type !== '' && (
          <Field label={SECRET_LABEL[type]} error={problem(`/auth/${AUTH_SECRET_FIELD[type]}`)} hint={secretHint} className="span-2">
            {(id, described) =>
              type === 'mtls' ? (
                <textarea id={id} aria-describedby={described} className="mono" rows={4} spellCheck={false} placeholder={keeping ? '(stored)' : '-----BEGIN PRIVATE KEY-----'} value={form.authSecret} onChange={(e) => update({ authSecret: e.target.value })} />
              ) : (
                <input id={id} aria-describedby={described} type="password" autoComplete="new-password" placeholder={keeping ? '(stored)' : ''} value={form.authSecret} onChange={(e) => update({ authSecret: e.target.value })} />
              )
            }
          </Field>
        )}
      </div>
    </fieldset>
  );
}
