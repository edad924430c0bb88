// What every tool of `furnace mcp` shares: how it reaches Furnace, the default namespace, where the
// web UI is, and how a failure becomes a tool error (the refusal's own words, bounded and printable).
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { RECORDING_ID_PATTERN } from '../../core/contract/recording.ts';
import { ApiError, type FurnaceApi } from '../kube-api.ts';
import { OBJECT_NAME_PATTERN } from './answer-schemas.ts';
import { boundedMessage, boundedText } from './bounded-text.ts';
import { MAX_TOP } from './tool-outputs.ts';

export interface ToolContext {
  /** Connects on first use. */
  api: () => FurnaceApi;
  /** -n, else the kubeconfig context's namespace (`local` with --server). */
  namespace: () => string;
  /** The web UI's origin for links (--ui, or the --server URL); paths only without one. */
  uiBase?: string | undefined;
  /** The options that reach this Furnace, for commands a link suggests (` --server URL`). */
  connectionFlags: string;
  /** Aborted when the client goes away: a recording still running is stopped. */
  closing: AbortSignal;
}

export const namespaceField = z
  .string()
  .regex(new RegExp(OBJECT_NAME_PATTERN))
  .optional()
  .describe("The namespace (default: the one furnace mcp was started with, else the kubeconfig context's)");

/** How many functions a top list holds. */
export const topField = z.number().int().min(1).max(MAX_TOP).optional();

export const idField = (what: string) => z.string().regex(new RegExp(RECORDING_ID_PATTERN)).describe(what);

/** A page of the web UI: a URL with --ui (or --server), else its path. */
export function uiLink(context: ToolContext, path: string): string {
  return context.uiBase === undefined ? path : new URL(path, context.uiBase).href;
}

/** The UI's diff graph (its compare page) of two recordings. */
export function diffPath(before: string, after: string): string {
  return `/compare/${encodeURIComponent(before)}/${encodeURIComponent(after)}`;
}

/**
 * A tool's answer: text for the model (and for clients that read no structured content), and the same
 * as structured content, which the SDK checks against the tool's outputSchema (tool-outputs.ts).
 */
export function answer(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: boundedText(text) }], structuredContent: structured };
}

/** A failure as a tool error: who refused and their words (an API refusal keeps its status). */
export function toolError(error: unknown): CallToolResult {
  const message = boundedMessage(error instanceof Error ? error.message : String(error));
  const text =
    error instanceof ApiError
      ? `Furnace refused (HTTP ${error.status}): ${message}`
      : `furnace mcp could not do it: ${message}`;
  return { isError: true, content: [{ type: 'text', text }] };
}

/** Runs a tool's body; whatever it throws becomes a tool error, never a protocol error. */
export function guarded<A>(body: (args: A, extra: ToolExtra) => Promise<CallToolResult>) {
  return async (args: A, extra: ToolExtra): Promise<CallToolResult> => {
    try {
      return await body(args, extra);
    } catch (error) {
      return toolError(error);
    }
  };
}

/** What the SDK passes a tool besides its arguments (the part the tools use). */
export interface ToolExtra {
  signal: AbortSignal;
  _meta?: { progressToken?: string | number } & Record<string, unknown>;
  sendNotification: (notification: {
    method: 'notifications/progress';
    params: { progressToken: string | number; progress: number; total?: number; message?: string };
  }) => Promise<void>;
}
