/*
 * cognito-auth-integration.js: the learning site's identity layer (SPEC §8).
 *
 * Pages are server-rendered anonymous (as on HubSpot for Cognito users). This script asks the API who the
 * browser is (GET <me-url> with the session cookies), publishes the answer as window.hhIdentity, the
 * #hhl-auth-context data-* attributes and an `hhl:identity` event, then upgrades the page: left-nav auth
 * links, the course/pathway enrollment CTA, My Learning cards and the module progress buttons.
 * It never throws: any failure leaves the page anonymous and usable.
 */
(function () {
  'use strict';

  var ANONYMOUS = Object.freeze({
    email: '', contactId: '', userId: '', displayName: '', firstname: '', lastname: '', authenticated: false
  });

  var CTA = {
    course: {
      start: 'Start Course', enrolled: '\u2713 Enrolled in Course',
      eventName: 'learning_course_enrolled', slugField: 'course_slug', listKey: 'courses', source: 'course_page'
    },
    pathway: {
      start: 'Enroll in Pathway', enrolled: '\u2713 Enrolled in Pathway',
      eventName: 'learning_pathway_enrolled', slugField: 'pathway_slug', listKey: 'pathways', source: 'pathway_page'
    }
  };

  var MODULE_BUTTONS = [
    { id: 'hhl-mark-started', eventName: 'learning_module_started', done: 'Marked as started.' },
    { id: 'hhl-mark-complete', eventName: 'learning_module_completed', done: 'Marked complete.' }
  ];

  function readConfig() {
    var el = document.getElementById('hhl-auth-context');
    var data = el ? el.dataset : {};
    var meUrl = data.authMeUrl || '';
    return {
      el: el,
      meUrl: meUrl,
      loginUrl: data.authLoginUrl || '',
      logoutUrl: data.authLogoutUrl || '',
      // Data routes live beside /auth/me on the same API base.
      apiBase: data.apiBaseUrl || meUrl.replace(/\/auth\/me\/?$/, '')
    };
  }

  var config = readConfig();
  var current = null;
  var resolveReady;
  var ready = new Promise(function (resolve) { resolveReady = resolve; });

  function text(value) {
    return typeof value === 'string' ? value : (value === null || value === undefined ? '' : String(value));
  }

  function toIdentity(me) {
    if (!me || typeof me !== 'object') { return ANONYMOUS; }
    return Object.freeze({
      email: text(me.email),
      contactId: text(me.hubspotContactId),
      userId: text(me.userId),
      displayName: text(me.displayName),
      firstname: text(me.givenName),
      lastname: text(me.familyName),
      authenticated: true
    });
  }

  // Parse by body, not Content-Type: the real API labels JSON text/plain. Anything unparsable is null.
  async function readJson(response) {
    try { return JSON.parse(await response.text()); } catch (e) { return null; }
  }

  async function apiGet(url) {
    try {
      var response = await fetch(url, { credentials: 'include', headers: { Accept: 'application/json' } });
      return { status: response.status, body: await readJson(response) };
    } catch (e) {
      return { status: 0, body: null };
    }
  }

  async function trackEvent(event) {
    try {
      var response = await fetch(config.apiBase + '/events/track', {
        method: 'POST',
        credentials: 'include',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(event)
      });
      return response.ok ? await readJson(response) : null;
    } catch (e) {
      return null;
    }
  }

  async function fetchIdentity() {
    if (!config.meUrl) { return ANONYMOUS; }
    var result = await apiGet(config.meUrl);
    // Only a 200 with a JSON profile authenticates; 401, other statuses and network errors are anonymous.
    return result.status === 200 && result.body ? toIdentity(result.body) : ANONYMOUS;
  }

  function here() {
    return window.location.pathname + window.location.search + window.location.hash;
  }

  function loginHref(path) {
    return config.loginUrl + '?redirect_url=' + encodeURIComponent(path);
  }

  window.hhIdentity = {
    ready: ready,
    get: function () { return current; },
    isAuthenticated: function () { return Boolean(current && current.authenticated); },
    isReady: function () { return current !== null; },
    login: function (path) { window.location.assign(loginHref(typeof path === 'string' ? path : here())); },
    // The API always returns to its configured logout URI (SPEC §3.7), so `path` is accepted but not sent.
    logout: function () { window.location.assign(config.logoutUrl); }
  };

  function setOrRemove(el, name, value) {
    if (value) { el.setAttribute(name, value); } else { el.removeAttribute(name); }
  }

  function writeContext(identity) {
    var el = config.el;
    if (!el) { return; }
    el.setAttribute('data-authenticated', identity.authenticated ? 'true' : 'false');
    el.setAttribute('data-email', identity.email);
    el.setAttribute('data-user-id', identity.userId);
    el.setAttribute('data-contact-id', identity.contactId);
    setOrRemove(el, 'data-firstname', identity.firstname);
    setOrRemove(el, 'data-lastname', identity.lastname);
  }

  function element(tag, props, children) {
    var el = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) { el[key] = props[key]; });
    (children || []).forEach(function (child) { el.append(child); });
    return el;
  }

  function setStatus(id, message, state) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.textContent = message;
    el.setAttribute('data-state', state);
  }

  function greetingName(identity) {
    return identity.firstname || identity.displayName.split(' ')[0] || identity.email.split('@')[0] || 'there';
  }

  function upgradeNav(identity) {
    var box = document.getElementById('hhl-nav-auth');
    if (!box || !identity.authenticated) { return; }
    box.replaceChildren(
      element('span', { id: 'auth-user-greeting', textContent: 'Hi, ' + greetingName(identity) + '!' }),
      element('a', { className: 'learn-auth-link', href: config.logoutUrl, textContent: 'Sign Out' })
    );
  }

  function showEnrollment(button, labels, enrolled) {
    button.textContent = enrolled ? labels.enrolled : labels.start;
    button.disabled = enrolled;
    button.setAttribute('data-enrolled', enrolled ? 'true' : 'false');
  }

  async function isEnrolled(labels, slug) {
    var result = await apiGet(config.apiBase + '/enrollments/list');
    var list = result.status === 200 && result.body && result.body.enrollments && result.body.enrollments[labels.listKey];
    return Array.isArray(list) && list.some(function (item) { return item && item.slug === slug; });
  }

  async function enroll(button, labels, slug) {
    button.disabled = true;
    button.textContent = 'Enrolling...';
    var event = { eventName: labels.eventName, enrollment_source: labels.source, payload: {} };
    event[labels.slugField] = slug;
    var result = await trackEvent(event);
    var saved = Boolean(result && result.status === 'persisted');
    showEnrollment(button, labels, saved);
    setStatus('hhl-enroll-status', saved ? '' : 'Enrollment could not be saved. Please try again.', saved ? 'saved' : 'error');
  }

  async function upgradeCta(identity) {
    var cta = document.getElementById('hhl-enrollment-cta');
    if (!cta || !identity.authenticated) { return; }
    var labels = CTA[cta.getAttribute('data-content-type')];
    var slug = cta.getAttribute('data-content-slug');
    if (!labels || !slug) { return; }
    var button = element('button', {
      type: 'button', id: 'hhl-enroll-button', className: 'enrollment-button',
      textContent: 'Checking enrollment...', disabled: true
    });
    button.setAttribute('data-content-type', cta.getAttribute('data-content-type'));
    button.setAttribute('data-content-slug', slug);
    var link = document.getElementById('hhl-enroll-login');
    if (link) { link.replaceWith(button); } else { cta.prepend(button); }
    var helper = document.getElementById('hhl-enroll-helper');
    if (helper) { helper.hidden = true; }
    button.addEventListener('click', function () { enroll(button, labels, slug); });
    showEnrollment(button, labels, await isEnrolled(labels, slug));
  }

  function readCatalog() {
    var el = document.getElementById('hhl-catalog');
    try { return JSON.parse(el ? el.textContent : '') || {}; } catch (e) { return {}; }
  }

  function enrollmentCard(type, slug, title, links) {
    var card = element('article', { className: 'enrollment-card' }, [
      element('h2', {}, [element('a', { href: '/learn/' + type + 's/' + slug, textContent: title || slug })]),
      element('p', { className: 'enrollment-slug', textContent: slug }),
      element('ul', {}, links.map(function (link) { return element('li', {}, [link]); }))
    ]);
    card.setAttribute('data-content-type', type);
    card.setAttribute('data-content-slug', slug);
    return card;
  }

  function cardLink(className, href, title) {
    return element('a', { className: className, href: href, textContent: title });
  }

  function pathwayCard(catalog, item) {
    var pathway = (catalog.pathways || {})[item.slug] || { title: item.slug, courses: [] };
    var courses = catalog.courses || {};
    var links = pathway.courses.map(function (course) {
      return cardLink('course-card', '/learn/courses/' + course, (courses[course] || {}).title || course);
    });
    return enrollmentCard('pathway', item.slug, pathway.title, links);
  }

  function courseCard(catalog, item) {
    var course = (catalog.courses || {})[item.slug] || { title: item.slug, modules: [] };
    var links = course.modules.map(function (module) {
      return cardLink('module-card', '/learn/modules/' + module.slug, module.title);
    });
    return enrollmentCard('course', item.slug, course.title, links);
  }

  async function renderMyLearning(identity) {
    var root = document.getElementById('hhl-my-learning');
    if (!root || !identity.authenticated) { return; }
    root.setAttribute('data-state', 'loading');
    document.getElementById('hhl-my-learning-signin').hidden = true;
    var result = await apiGet(config.apiBase + '/enrollments/list');
    var enrollments = result.status === 200 && result.body && result.body.enrollments;
    if (!enrollments) {
      document.getElementById('hhl-my-learning-error').hidden = false;
      root.setAttribute('data-state', 'error');
      return;
    }
    var catalog = readCatalog();
    var cards = [];
    (enrollments.pathways || []).forEach(function (item) { cards.push(pathwayCard(catalog, item)); });
    (enrollments.courses || []).forEach(function (item) { cards.push(courseCard(catalog, item)); });
    document.getElementById('hhl-enrollment-cards').replaceChildren(...cards);
    document.getElementById('hhl-my-learning-empty').hidden = cards.length > 0;
    root.setAttribute('data-state', 'loaded');
  }

  function meta(name) {
    var el = document.querySelector('meta[name="hhl:' + name + '"]');
    return el ? el.getAttribute('content') || '' : '';
  }

  async function recordProgress(button, spec, moduleSlug, courseSlug) {
    button.disabled = true;
    setStatus('hhl-module-status', 'Saving...', 'saving');
    var payload = { module_slug: moduleSlug };
    if (courseSlug) { payload.course_slug = courseSlug; }
    var result = await trackEvent({ eventName: spec.eventName, payload: payload });
    button.disabled = false;
    if (result && result.status === 'persisted') {
      setStatus('hhl-module-status', spec.done, 'saved');
    } else if (result && result.mode === 'anonymous') {
      setStatus('hhl-module-status', 'Sign in to save your progress.', 'anonymous');
    } else {
      setStatus('hhl-module-status', 'Progress could not be saved. Please try again.', 'error');
    }
  }

  function wireModuleButtons() {
    var moduleSlug = meta('module_slug');
    if (!moduleSlug) { return; }
    var courseSlug = meta('course_slug');
    MODULE_BUTTONS.forEach(function (spec) {
      var button = document.getElementById(spec.id);
      if (button) {
        button.addEventListener('click', function () { recordProgress(button, spec, moduleSlug, courseSlug); });
      }
    });
  }

  // One failing upgrade must not stop the others, nor surface as an uncaught error on the page.
  function safely(step, identity) {
    try {
      Promise.resolve(step(identity)).catch(function () {});
    } catch (e) { /* ignored: see above */ }
  }

  function publish(identity) {
    current = identity;
    safely(writeContext, identity);
    safely(upgradeNav, identity);
    safely(upgradeCta, identity);
    safely(renderMyLearning, identity);
    // Listener exceptions are reported by the browser, never thrown back into dispatchEvent.
    document.dispatchEvent(new CustomEvent('hhl:identity', { detail: identity }));
    resolveReady(identity);
  }

  safely(wireModuleButtons);
  fetchIdentity().then(publish, function () { publish(ANONYMOUS); });
})();
