/**
 * The widget's words: the `widget` section of the locale catalogue that best
 * fits what the page and the browser prefer, with the locales offered (for
 * its language switch). Only that section, of that one locale, goes to the
 * browser, each message parsed (src/core/i18n/message-format.ts): nothing of
 * the catalogues, nor the message parser, is built into the widget's bundle.
 */
import { Router } from 'express';
import type { Locales } from '../../i18n/words.js';
import { parseInput } from './http-errors.js';
import { WidgetWordsQuery } from './schemas.js';

/** The words change only with a deployment; a few minutes of caching spares a request per page view. */
const MAX_AGE_SECONDS = 300;

export function wordsRouter(locales: Locales): Router {
  const router = Router();
  router.get('/widget-words', (req, res) => {
    const { prefer } = parseInput(WidgetWordsQuery, req.query, 'query');
    const locale = locales.negotiate((prefer ?? '').split(','));
    res.setHeader('Cache-Control', `public, max-age=${MAX_AGE_SECONDS}`);
    res.json({ locale, languages: locales.languages(), words: locales.words(locale).parsedSection('widget') });
  });
  return router;
}
