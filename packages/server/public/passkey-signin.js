/*
 * Remote Help sign-in pages: "Sign in with a passkey" and "Use a passkey". Served as is from our
 * origin (the pages' CSP allows `script-src 'self'` and nothing inline). A form marked
 * `data-passkey-options` carries the server's WebAuthn options (JSON, base64url fields); on submit
 * this asks the browser for a passkey (`navigator.credentials.get()`), puts the answer as JSON in
 * the form's `credential` field and posts the form. Everything else (the challenge, the person,
 * every check) stays on the server. Plain ES2017, no build step, nothing imported.
 */
/* global window, document -- a browser script, not Node (eslint.config.js gives *.js Node's globals) */
(function () {
  'use strict';

  function bytesOf(base64url) {
    var text = base64url.replace(/-/g, '+').replace(/_/g, '/');
    while (text.length % 4) text += '=';
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function base64urlOf(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = '';
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  /** `PublicKeyCredentialRequestOptionsJSON` → what `navigator.credentials.get()` takes. */
  function requestOptions(json) {
    return {
      challenge: bytesOf(json.challenge),
      rpId: json.rpId,
      timeout: json.timeout,
      userVerification: json.userVerification,
      allowCredentials: (json.allowCredentials || []).map(function (c) {
        return { type: 'public-key', id: bytesOf(c.id), transports: c.transports };
      }),
    };
  }

  /** The credential → `AuthenticationResponseJSON`. */
  function answerOf(credential) {
    var r = credential.response;
    var answer = {
      id: credential.id,
      rawId: base64urlOf(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: base64urlOf(r.clientDataJSON),
        authenticatorData: base64urlOf(r.authenticatorData),
        signature: base64urlOf(r.signature),
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    };
    if (r.userHandle && r.userHandle.byteLength) answer.response.userHandle = base64urlOf(r.userHandle);
    if (credential.authenticatorAttachment) answer.authenticatorAttachment = credential.authenticatorAttachment;
    return answer;
  }

  var supported =
    typeof window.PublicKeyCredential === 'function' && !!navigator.credentials && !!navigator.credentials.get;

  Array.prototype.forEach.call(document.querySelectorAll('form[data-passkey-options]'), function (form) {
    var button = form.querySelector('button');
    var error = form.querySelector('[data-passkey-error]');
    var field = form.querySelector('input[name="credential"]');
    function show(text) {
      error.textContent = text;
      error.hidden = false;
    }
    if (!supported) {
      button.disabled = true;
      show(form.getAttribute('data-passkey-unsupported'));
      return;
    }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      button.disabled = true;
      error.hidden = true;
      var options = requestOptions(JSON.parse(form.getAttribute('data-passkey-options')));
      navigator.credentials.get({ publicKey: options }).then(
        function (credential) {
          field.value = JSON.stringify(answerOf(credential));
          form.submit();
        },
        function (failure) {
          button.disabled = false;
          var cancelled = failure && failure.name === 'NotAllowedError';
          show(form.getAttribute(cancelled ? 'data-passkey-cancelled' : 'data-passkey-failed'));
        },
      );
    });
  });
})();
