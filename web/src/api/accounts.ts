// Accounts: who is signed in, and the ways to sign in (password, wallet, API key).

import { renewSession, setCredential } from './auth';
import { ApiError, request } from './client';
import type { Me, SiweNonce, TokenAnswer } from './types';

export type { Me };

/** The EIP-1193 provider a wallet extension injects as `window.ethereum`. */
interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

function wallet(): Eip1193 | null {
  return (window as unknown as { ethereum?: Eip1193 }).ethereum ?? null;
}

export const hasWallet = () => wallet() !== null;

export const me = () => request<Me>('GET', '/me');

/** Restore the sign-in this browser has (its refresh cookie), if any. */
export const resumeSession = () => renewSession();

async function signInWith(path: string, body: unknown): Promise<void> {
  const response = await fetch(`/api/auth/${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, payload?.error?.message ?? `sign-in failed (${response.status})`, [], payload?.error?.code);
  }
  const answer = payload as TokenAnswer;
  setCredential(answer.access_token, answer.expires_in);
}

export const signInWithPassword = (username: string, password: string) =>
  signInWith('login', { username, password });

export async function register(username: string, password: string): Promise<void> {
  await request('POST', '/auth/register', { username, password });
  await signInWithPassword(username, password);
}

/** An API key, kept in this tab's memory only. */
export async function signInWithKey(key: string): Promise<void> {
  setCredential(key);
  try {
    await me();
  } catch (err) {
    setCredential(null);
    throw err;
  }
}

function hex(text: string): string {
  return '0x' + Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Sign-In with Ethereum (EIP-4361): the wallet signs a message naming this server and a fresh nonce. */
export async function signInWithWallet(): Promise<void> {
  const provider = wallet();
  if (!provider) throw new Error('no wallet found in this browser');
  const [account] = (await provider.request({ method: 'eth_requestAccounts' })) as string[];
  if (!account) throw new Error('the wallet shared no account');
  const chainId = parseInt(String(await provider.request({ method: 'eth_chainId' })), 16);
  const offer = await request<SiweNonce>(
    'GET', `/auth/siwe/nonce?address=${encodeURIComponent(account)}`);
  const now = new Date();
  const message = [
    `${offer.domain} wants you to sign in with your Ethereum account:`,
    offer.address ?? account,
    '',
    'Sign in to FusionFlow.',
    '',
    `URI: ${window.location.origin}/`,
    'Version: 1',
    `Chain ID: ${chainId}`,
    `Nonce: ${offer.nonce}`,
    `Issued At: ${now.toISOString()}`,
    `Expiration Time: ${new Date(now.getTime() + 10 * 60_000).toISOString()}`,
  ].join('\n');
  const signature = (await provider.request({ method: 'personal_sign', params: [hex(message), account] })) as string;
  await signInWith('siwe/verify', { message, signature });
}

export async function signOut(): Promise<void> {
  await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
  setCredential(null);
}
