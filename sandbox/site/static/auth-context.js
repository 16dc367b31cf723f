/*
 * auth-context.js: LEGACY identity shim from the HubSpot-membership era, kept only so the sandbox can plant
 * the fault `site.legacy_auth_script` (SPEC §10). When a page still loads it after cognito-auth-integration.js
 * it overwrites window.hhIdentity with the old, incompatible object: identity taken from HubSpot membership
 * attributes that Cognito users never have (so always anonymous), no `ready` promise, no login/logout.
 */
(function () {
  'use strict';

  var context = document.getElementById('hhl-auth-context');
  // HubL rendered these for logged-in HubSpot members; the Cognito-era templates never do.
  var email = context ? context.getAttribute('data-hs-member-email') || '' : '';
  var contactId = context ? context.getAttribute('data-hs-contact-id') || '' : '';

  window.hhIdentity = {
    isLoggedIn: function () { return email !== ''; },
    isAuthenticated: function () { return email !== ''; },
    getIdentity: function () { return email ? { email: email, contactId: contactId } : null; },
    get: function () { return { email: email, contactId: contactId }; }
  };
})();
