/**
 * What is never content, and what looks like boilerplate: pure predicates
 * over one element (its tag, role, class and id, hidden state). Used by the
 * main-content detection (find-main-content.ts); no DOM walking here.
 */
import type { Element } from 'domhandler';

/** Elements whose subtree is never page content, in either mode (`main` or `full`). */
export const NEVER_CONTENT: ReadonlySet<string> = new Set([
  'head', 'title', 'meta', 'link', 'base', 'script', 'style', 'noscript', 'template', 'svg', 'math',
  'iframe', 'object', 'embed', 'canvas', 'audio', 'video', 'source', 'track', 'map', 'area',
  'button', 'input', 'select', 'option', 'optgroup', 'textarea', 'datalist', 'output', 'progress', 'meter', 'dialog', 'label',
]);

/** Elements that hold page furniture rather than content (main mode). */
const FURNITURE_TAGS: ReadonlySet<string> = new Set(['nav', 'aside', 'footer', 'form', 'menu']);

const HEADINGS: ReadonlySet<string> = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/** ARIA landmark and widget roles that are page furniture. */
const FURNITURE_ROLES: ReadonlySet<string> = new Set([
  'navigation', 'banner', 'contentinfo', 'complementary', 'search', 'dialog', 'alertdialog',
  'menu', 'menubar', 'toolbar', 'tablist', 'status', 'alert', 'log', 'marquee', 'timer', 'tooltip', 'button',
  'radiogroup', 'switch',
]);

/** Class words of a link styled as a button: a call to action ("Start free trial"), not content. */
const BUTTON_WORDS: ReadonlySet<string> = new Set(['btn', 'button', 'cta']);

/**
 * Words in a class or id that mark boilerplate wherever they appear as a
 * hyphen/underscore-separated part (`cookie-notice`, `related_posts`,
 * `shareBar` is matched through its lower-cased parts `share`/`bar`).
 */
const BOILERPLATE_WORDS: ReadonlySet<string> = new Set([
  'cookie', 'cookies', 'consent', 'gdpr', 'newsletter', 'subscribe', 'subscription', 'share', 'sharing',
  'sharer', 'social', 'related', 'recommended', 'recommendations', 'promo', 'promotion', 'promoted',
  'sponsor', 'sponsored', 'advert', 'advertisement', 'advertising', 'ad', 'ads', 'adsense', 'adslot',
  'dfp', 'taboola', 'outbrain', 'breadcrumb', 'breadcrumbs', 'pagination', 'pager', 'paginator',
  'skiplink', 'toc', 'sidebar', 'widget', 'widgets', 'popup', 'modal', 'comments', 'disqus',
  'feedback', 'trending', 'popular', 'navbar', 'nav', 'navigation', 'menu', 'masthead', 'topbar',
  'sronly', 'readmore', 'readnext', 'upsell', 'paywall', 'tagcloud', 'meta', 'metadata', 'headerlink', 'editsection', 'helpful',
  'permalink', 'anchorjs',
]);

/** Whole class tokens / ids that mark boilerplate only when they are the entire token. */
const BOILERPLATE_TOKENS: ReadonlySet<string> = new Set([
  'header', 'footer', 'site-header', 'site-footer', 'page-header', 'page-footer', 'global-header',
  'global-footer', 'sr-only', 'visually-hidden', 'screen-reader-text', 'skip-link', 'more-stories',
  'read-more', 'read-next', 'post-navigation', 'nav-links', 'edit-link', 'hidden', 'tags', 'post-tags',
  'entry-tags', 'share', 'skip', 'respond', 'anchor', 'hash-link', 'header-anchor', 'heading-anchor',
]);

/** Short blocks whose text is boilerplate wherever they are: e-mail footers, sponsor notes, "view in browser". */
export const BOILERPLATE_TEXT = /^(?:sponsored\b|advertisement\b|view (?:this (?:e-?mail|newsletter) )?in (?:your )?browser|you are receiving this|unsubscribe\b|was this (?:page|article) helpful)/i;

/** Headings that title a boilerplate block ("Related articles", "More from …", "Share this"). */
export const BOILERPLATE_HEADING = /^(?:related|similar|recommended|(?:most )?popular|trending|more (?:stories|articles|news|from|in|like)|read (?:next|more|also)|you (?:may|might) also|share|follow us|newsletter|sign up|subscribe|comments?\b|\d+ comments|leave a (?:reply|comment)|advertisement|sponsored|who(?:'s| is) online|statistics$)/i;

/** Class/id words that mark likely content (scoring bonus). */
export const CONTENT_HINT = /(?:^|[-_\s])(?:article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|prose|markdown|doc|docs|documentation)(?:$|[-_\s])/i;

/** Splits a class or id into lower-case words: `relatedPosts share-bar` → related, posts, share, bar. */
function words(value: string): string[] {
  return value
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter((w) => w !== '');
}

/** True when the element's class or id names boilerplate (see BOILERPLATE_WORDS / _TOKENS). */
export function hasBoilerplateName(element: Element): boolean {
  for (const value of [element.attribs.class, element.attribs.id]) {
    if (value === undefined || value === '') continue;
    for (const token of value.toLowerCase().split(/\s+/)) {
      if (BOILERPLATE_TOKENS.has(token)) return true;
    }
    for (const word of words(value)) if (BOILERPLATE_WORDS.has(word)) return true;
  }
  return false;
}

const HIDDEN_STYLE = /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)/i;

/** Styled as a button (`btn`, `button`, `cta` in its class): a call to action or a control when it holds little text. */
export function isButtonLike(element: Element): boolean {
  const classes = element.attribs.class;
  return classes !== undefined && words(classes).some((w) => BUTTON_WORDS.has(w));
}

/** Hidden from readers: `hidden`, `aria-hidden="true"`, inline `display:none` / `visibility:hidden`. */
export function isHidden(element: Element): boolean {
  const { attribs } = element;
  if (attribs.hidden !== undefined) return true;
  if (attribs['aria-hidden'] === 'true') return true;
  const style = attribs.style;
  return style !== undefined && HIDDEN_STYLE.test(style);
}

/** True for navigation, sidebars, footers, forms, landmarks that are not content, and boilerplate names. */
export function isFurniture(element: Element): boolean {
  if (FURNITURE_TAGS.has(element.name)) return true;
  if (HEADINGS.has(element.name)) return false; // `<h2 class="anchor">`: headings are never furniture by name
  const role = element.attribs.role;
  if (role !== undefined && FURNITURE_ROLES.has(role.trim().toLowerCase())) return true;
  return hasBoilerplateName(element);
}
