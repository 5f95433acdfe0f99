import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import express, { NextFunction, Request, Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { DataSource } from 'typeorm';
import { SessionStore } from './auth/session-store';
import { takeFlash } from './common/flash';
import { isDatabaseUnavailable } from './common/errors/app-error';
import { renderError } from './common/errors/http-exception.filter';
import { translate, DEFAULT_LOCALE } from './common/i18n/translate';
import { registerViewHelpers } from './common/view-helpers';
import type { AppConfig } from './config/app-config';
import { sharedPool } from './database/shared-pool';

/** The repository root (holds views/, public/, node_modules/), from src/ in tests or dist/src/ when built. */
export const ROOT = findRoot(__dirname);

function findRoot(dir: string): string {
  let current = dir;
  while (!existsSync(join(current, 'package.json'))) {
    const parent = dirname(current);
    if (parent === current) throw new Error(`package.json not found above ${dir}`);
    current = parent;
  }
  return current;
}
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;

export function sessionCookieName(config: AppConfig): string {
  // `__Host-` pins the cookie to this origin (no Domain, Path=/, Secure); browsers only accept it over HTTPS.
  return config.cookieSecure ? '__Host-clientela.sid' : 'clientela.sid';
}

/**
 * Everything Express needs before Nest's router: security headers, body parsing (before CSRF, which
 * reads the parsed `_csrf` field), static files (before sessions, so assets never touch the database),
 * PostgreSQL-backed sessions, CSRF and the view engine. Shared by main.ts and the tests.
 */
export async function configureApp(app: NestExpressApplication, config: AppConfig): Promise<void> {
  const dataSource = app.get(DataSource);
  const pool = sharedPool(dataSource);
  const dbLogger = new Logger('Database');
  // An idle connection's error must not kill the process; it is logged through the error serializer,
  // which drops the pg client pg-pool attaches to it (connection settings included).
  pool.on('error', (err) => dbLogger.error({ err }, 'an idle database connection failed'));

  if (config.trustProxy) app.set('trust proxy', config.trustProxy === 'true' ? true : config.trustProxy);
  app.disable('x-powered-by');
  // Every response is `Cache-Control: no-store`: an ETag (SHA-1 of each ~100 KB page) would never be used.
  app.set('etag', false);
  app.set('sessionCookieName', sessionCookieName(config));

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          ...(config.cookieSecure ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: config.cookieSecure,
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'same-origin' },
    }),
  );

  const assets = { index: false, maxAge: config.nodeEnv === 'production' ? '1d' : 0 };
  app.use(
    '/vendor/htmx.min.js',
    express.static(join(ROOT, 'node_modules/htmx.org/dist/htmx.min.js'), assets),
  );
  app.use(
    '/vendor/pico.min.css',
    express.static(join(ROOT, 'node_modules/@picocss/pico/css/pico.min.css'), assets),
  );
  app.use('/assets', express.static(join(ROOT, 'public'), assets));

  app.use(express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 2000 }));
  app.use(express.json({ limit: '256kb' }));
  app.use(cookieParser());

  const sessions = app.get(SessionStore);
  app.use(
    session({
      name: sessionCookieName(config),
      secret: config.appSecret,
      store: sessions,
      resave: false,
      saveUninitialized: false,
      rolling: true, // every response pushes the idle deadline 30 min on (in the row at most once a minute)
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.cookieSecure,
        maxAge: IDLE_TIMEOUT_MS,
        path: '/',
      },
    }),
  );
  app.use(absoluteSessionTimeout);
  app.use(saveFlashBeforeRedirect);
  app.use(whoIsAsking(sessions));

  const csrf = doubleCsrf({
    getSecret: () => config.appSecret,
    // A signed-in session binds its tokens to its id. An anonymous visitor (the login form) has no stored
    // session — reading a page writes none — so the token is bound to its own random part only: a signed
    // double-submit cookie (HttpOnly, SameSite=Lax, `__Host-` behind TLS) that must come back with the
    // same token in the form; another site can neither read nor set it.
    getSessionIdentifier: (req) => (req.operator ? req.sessionID : ANONYMOUS_CSRF_BINDING),
    cookieName: config.cookieSecure ? '__Host-clientela.csrf' : 'clientela.csrf',
    cookieOptions: { sameSite: 'lax', secure: config.cookieSecure, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => (req.headers['x-csrf-token'] as string | undefined) ?? req.body?._csrf,
  });
  const publicOrigin = new URL(config.publicUrl).origin;
  app.use((req: Request, res: Response, next: NextFunction) => {
    req.csrfToken = (options) => csrf.generateCsrfToken(req, res, options);
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
    const crossSite = req.get('Sec-Fetch-Site') === 'cross-site';
    if (crossSite || foreignOrigin(req, publicOrigin) || !csrf.validateRequest(req)) {
      return renderError(req, res, 403, translate(req.operator?.locale, 'error.403.csrf'));
    }
    if (req.body && typeof req.body === 'object') delete req.body._csrf;
    next();
  });

  // PostgreSQL text cannot hold U+0000: a NUL anywhere in the query or the body is refused here with a
  // message, for every route, instead of failing in SQL (a 500).
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (containsNul(req.query) || containsNul(req.body)) {
      return renderError(req, res, 400, translate(req.operator?.locale, 'error.400.nul'));
    }
    next();
  });

  // Errors raised by the middleware above (body too large, malformed body, the session store unable to
  // reach the database) end here: a 4xx, a 503 for an outage, never a stack trace.
  app.use((err: { status?: number; type?: string }, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = isDatabaseUnavailable(err)
      ? 503
      : err.status && err.status >= 400 && err.status < 500
        ? err.status
        : 500;
    if (status >= 500)
      new Logger('Http').error({ err, requestId: req.id }, 'request failed before its route');
    const key = status === 413 || status === 500 || status === 503 ? status : 400;
    renderError(req, res, status, translate(req.operator?.locale, `error.${key}`));
  });

  app.setBaseViewsDir(join(ROOT, 'views'));
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
  app.set('view cache', config.nodeEnv !== 'development');
  await registerViewHelpers(join(ROOT, 'views'));
}

/**
 * A browser follows a redirect as soon as it has the headers, while express-session holds back only the
 * last byte of the body until the session is saved: the next page could read the session from before the
 * change, and a flash message ("Cliente … inativado.") would be lost. So a redirect with a message waiting
 * saves the session first.
 */
function saveFlashBeforeRedirect(req: Request, res: Response, next: NextFunction): void {
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    if (!req.session?.flash?.length) return redirect(...args);
    req.session.save((err) => (err ? next(err) : redirect(...args)));
  }) as Response['redirect'];
  next();
}

/** What an anonymous visitor's CSRF token is bound to (see `getSessionIdentifier` above). */
const ANONYMOUS_CSRF_BINDING = 'anonymous';

/**
 * The one place a request learns who is asking: `req.operator` (what AuthGuard, the error filter and the
 * controllers read) and the layout's locals — also for pages no route handles (a 404 still shows the
 * signed-in navigation). The operator comes from the session store, which read it from the database with
 * the session (a rename or a new role shows at once); no cache, every answer is `no-store`.
 */
function whoIsAsking(sessions: SessionStore) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const operator = sessions.operatorOf(req.session);
    req.operator = operator;
    res.set('Cache-Control', 'no-store');
    res.locals.path = req.path;
    res.locals.locale = operator?.locale ?? DEFAULT_LOCALE;
    res.locals.operator = operator;
    res.locals.isAdmin = operator?.role === 'admin';
    res.locals.isManager = operator !== undefined && operator.role !== 'agent';
    defineLazy(res.locals, 'csrfToken', () => req.csrfToken!());
    defineLazy(res.locals, 'flash', () =>
      takeFlash(req).map((f) => ({ kind: f.kind, message: translate(res.locals.locale, f.message, f.vars) })),
    );
    next();
  };
}

/**
 * A state change whose `Origin` (sent by every current browser on a POST) is neither this site as the
 * request reached it (scheme and host, through the trusted proxy's X-Forwarded-* when TRUST_PROXY is
 * set) nor PUBLIC_URL: refused with the CSRF token's 403, whatever the token. No `Origin` at all (older
 * clients, scripts): the token decides alone.
 */
function foreignOrigin(req: Request, publicOrigin: string): boolean {
  const origin = req.get('Origin');
  if (origin === undefined) return false;
  return origin !== publicOrigin && origin !== ownOrigin(req);
}

function ownOrigin(req: Request): string | undefined {
  try {
    return new URL(`${req.protocol}://${req.host}`).origin;
  } catch {
    return undefined;
  }
}

function absoluteSessionTimeout(req: Request, _res: Response, next: NextFunction): void {
  const loginAt = req.session.loginAt;
  if (loginAt && Date.now() - loginAt > ABSOLUTE_TIMEOUT_MS) {
    req.session.regenerate((err) => next(err));
    return;
  }
  next();
}

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (!value || typeof value !== 'object' || depth > 32) return false; // deeper JSON never reaches a form (cleanBody)
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item, depth + 1));
}

/** A res.locals value computed only if a template reads it (a token or a popped flash costs work). */
function defineLazy(target: Record<string, unknown>, key: string, compute: () => unknown): void {
  let done = false;
  let value: unknown;
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get() {
      if (!done) {
        value = compute();
        done = true;
      }
      return value;
    },
  });
}
