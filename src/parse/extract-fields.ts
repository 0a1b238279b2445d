/**
 * The field-rule engine: runs compiled field rules against a parsed page.
 * Pure and synchronous (runs in the parser worker).
 *
 * For each field: select (the first match, or every match with `all`) →
 * take (text, attribute, inner/outer HTML, or an object of sub-fields) →
 * post-process → default / required. A value is *missing* when nothing
 * matched, the attribute is absent, the string is empty, or a post-processing
 * step could not produce a value (that last case also adds a warning).
 */
import type { CheerioAPI } from 'cheerio/slim';
import type { AnyNode } from 'domhandler';
import type { CompiledField } from './compile-extract-rules.js';
import { applySteps } from './extract-post-process.js';
import { collapseWhitespace } from './extract-text.js';

export interface FieldContext {
  $: CheerioAPI;
  /** Base for the `url` step: the valid `<base href>`, else the page URL. */
  baseUrl: string;
}

/** What a run of field rules found, besides the values. */
export interface FieldProblems {
  /** Paths of required fields that were missing (`price`, `reviews[2].author`). */
  missing: string[];
  /** Post-processing failures (`field price: "n/a" is not a number`). */
  warnings: string[];
}

interface TextNode {
  type: string;
  data?: string;
  children?: TextNode[];
}

/**
 * The text content of a node (every descendant text node, scripts included,
 * comments not), whitespace collapsed. Iterative: deep trees do not overflow
 * the stack as a recursive walk (and cheerio's `.text()`) would.
 */
export function nodeText(node: AnyNode): string {
  const parts: string[] = [];
  const stack: TextNode[] = [node as unknown as TextNode];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (current.type === 'text' || current.type === 'cdata') {
      if (current.data !== undefined) parts.push(current.data);
    } else if (current.children !== undefined && current.type !== 'comment') {
      for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i]!);
    }
  }
  return collapseWhitespace(parts.join(''));
}

function takeRaw(field: CompiledField, node: AnyNode, $: CheerioAPI): string | undefined {
  switch (field.take) {
    case 'text':
      return nodeText(node);
    case 'attr':
      return (node as { attribs?: Record<string, string> }).attribs?.[field.attr!];
    case 'html':
      return $(node).html() ?? undefined;
    case 'outerHtml':
      return $.html(node);
  }
}

/** The processed scalar of one element, or undefined when missing. */
function scalarValue(field: CompiledField, node: AnyNode, ctx: FieldContext, path: string, problems: FieldProblems): string | number | undefined {
  const raw = takeRaw(field, node, ctx.$);
  if (raw === undefined || raw === '') return undefined;
  const result = applySteps(raw, field.steps, ctx.baseUrl);
  if (!result.ok) {
    problems.warnings.push(`field ${path}: ${result.reason}`);
    return undefined;
  }
  return result.value === '' ? undefined : result.value;
}

function matches(field: CompiledField, context: AnyNode, $: CheerioAPI): AnyNode[] {
  if (field.selector === undefined) return [context];
  const found = $(context).find(field.selector);
  return field.all ? found.toArray() : found.toArray().slice(0, 1);
}

function itemValue(field: CompiledField, node: AnyNode, ctx: FieldContext, path: string, problems: FieldProblems): unknown {
  if (field.fields !== undefined) return extractFieldsFrom(field.fields, node, ctx, problems, `${path}.`);
  return scalarValue(field, node, ctx, path, problems);
}

function fieldValue(field: CompiledField, context: AnyNode, ctx: FieldContext, path: string, problems: FieldProblems): unknown {
  const nodes = matches(field, context, ctx.$);
  let value: unknown;
  if (field.all) {
    const items: unknown[] = [];
    nodes.forEach((node, i) => {
      const item = itemValue(field, node, ctx, `${path}[${i}]`, problems);
      if (item !== undefined) items.push(item);
    });
    value = items.length > 0 ? items : undefined;
  } else if (nodes.length > 0) {
    value = itemValue(field, nodes[0]!, ctx, path, problems);
  }
  if (value !== undefined) return value;
  if (field.required && !field.hasDefault) problems.missing.push(path);
  return structuredClone(field.fallback);
}

/**
 * Runs `fields` inside `context` (the document root for a page, an item
 * element for sub-fields) and returns their values by name.
 * @param prefix path prefix for problems (`reviews[1].`)
 */
export function extractFieldsFrom(fields: readonly CompiledField[], context: AnyNode, ctx: FieldContext, problems: FieldProblems, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field.name] = fieldValue(field, context, ctx, `${prefix}${field.name}`, problems);
  return out;
}
