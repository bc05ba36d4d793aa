/** @module identity/i18n/es — the sign-in pages in Spanish (terms: web glossary `es.json`). */
import type { Catalog } from './en.js';

export const es: Catalog = {
  'signIn.title': 'Iniciar sesión',
  'signIn.intro': 'Use la cuenta de su organización para continuar a {client}.',
  'signIn.agentClient': 'la aplicación Remote Help',
  'signIn.email': 'Correo electrónico',
  'signIn.password': 'Contraseña',
  'signIn.submit': 'Iniciar sesión',
  'signIn.or': 'o',
  'signIn.passkey': 'Iniciar sesión con una clave de acceso',
  'signIn.foot':
    'Su organización administra esta cuenta. Remote Help nunca comparte su contraseña con quienes le ayudan.',
  'signIn.missingFields': 'Escriba su correo electrónico y su contraseña.',
  'signIn.wrongPassword': 'El correo electrónico o la contraseña no son correctos.',
  'signIn.wrongPasswordWait':
    'El correo electrónico o la contraseña no son correctos. Vuelva a intentarlo dentro de {duration}.',
  'signIn.disabled': 'Su cuenta está deshabilitada. Póngase en contacto con su administrador.',
  'signIn.tooManyAttempts': 'Demasiados intentos. Vuelva a intentarlo dentro de {duration}.',
  'expired.title': 'Inicio de sesión caducado',
  'expired.heading': 'Esta página de inicio de sesión ha caducado',
  'expired.startAgain': 'Empezar de nuevo',
  'providerError.title': 'Error de inicio de sesión',
  'providerError.heading': 'Problema al iniciar sesión',
  'common.backToRemoteHelp': 'Volver a Remote Help',
  'mfa.title': 'Escribir el código',
  'mfa.intro': 'Escriba el código de 6 dígitos que se muestra en su aplicación de autenticación.',
  'mfa.code': 'Código',
  'mfa.recoveryHint': '¿Ha perdido el teléfono? Escriba en su lugar uno de sus códigos de recuperación.',
  'mfa.verify': 'Comprobar',
  'mfa.usePasskey': 'Usar una clave de acceso',
  'mfa.passkeyTitle': 'Usar su clave de acceso',
  'mfa.passkeyIntro':
    'Confirme que es usted con una clave de acceso que haya agregado a su cuenta (su teléfono, una llave de seguridad o este dispositivo).',
  'mfa.codeMissing': 'Escriba el código de su aplicación de autenticación.',
  'mfa.codeWrong': 'Ese código no es correcto o ya se ha usado.',
  'mfa.codeWrongWait': 'Ese código no es correcto o ya se ha usado. Vuelva a intentarlo dentro de {duration}.',
  'newPassword.title': 'Actualizar la contraseña',
  'newPassword.intro': 'Su administrador le pide que elija una contraseña nueva antes de continuar.',
  'newPassword.label': 'Nueva contraseña',
  'newPassword.minLength': {
    one: 'Use al menos {count} carácter.',
    many: 'Use al menos {count} de caracteres.',
    other: 'Use al menos {count} caracteres.',
  },
  'newPassword.commonRefused': 'Se rechazan las contraseñas comunes que aparecen en listas de contraseñas filtradas.',
  'newPassword.confirm': 'Confirmar la contraseña',
  'newPassword.mismatch': 'Las dos contraseñas no coinciden.',
  'newPassword.common': 'Esta contraseña es demasiado común: aparece en listas de contraseñas filtradas.',
  'passkey.cancelled': 'La solicitud de clave de acceso se canceló o agotó el tiempo de espera. Vuelva a intentarlo.',
  'passkey.failed':
    'Su explorador no pudo usar una clave de acceso aquí. Vuelva a intentarlo o inicie sesión de otra forma.',
  'passkey.unsupported': 'Este explorador no puede usar claves de acceso.',
  'passkey.malformed': 'Su explorador no respondió con una clave de acceso. Vuelva a intentarlo.',
  'passkey.challenge': 'Esta solicitud de clave de acceso ha caducado o ya se ha usado. Vuelva a intentarlo.',
  'passkey.origin': 'Esta respuesta de clave de acceso se creó para otro sitio web.',
  'passkey.rp_id': 'Esta clave de acceso pertenece a otro sitio web.',
  'passkey.unknown_credential':
    'Esta clave de acceso no está registrada en Remote Help. Inicie sesión con su contraseña.',
  'passkey.other_account': 'Esta clave de acceso pertenece a otra cuenta.',
  'passkey.user_verification': 'Su clave de acceso no comprobó que es usted (PIN o biometría). Vuelva a intentarlo.',
  'passkey.counter':
    'El contador de firmas de esta clave de acceso retrocedió, por lo que puede haberse copiado. No se aceptó; consulte a su administrador.',
  'passkey.signature': 'La firma de la clave de acceso no es válida.',
  'passkey.already_added': 'Esta clave de acceso ya está agregada.',
  'gate.setupTitle': 'Configurar la autenticación multifactor',
  'gate.setupIntro':
    'Su organización requiere una segunda forma de demostrar que es usted para esta aplicación. Solo tardará un minuto.',
  'gate.stepInstall':
    'Instale una aplicación de autenticación en su teléfono (Microsoft Authenticator, Google Authenticator u otra).',
  'gate.stepScan': 'Escanee el código QR con ella.',
  'gate.stepCode': 'Escriba el código de 6 dígitos que muestra la aplicación.',
  'gate.qrAlt': 'Código QR para su aplicación de autenticación',
  'gate.cantScan': '¿No puede escanearlo? Escriba esta clave en la aplicación:',
  'gate.sameEntry': 'Use la entrada que acaba de agregar a su aplicación de autenticación.',
  'gate.codeLabel': 'Código de la aplicación',
  'gate.codeWrong': 'Ese código no es correcto. Escriba el código de 6 dígitos que muestra ahora la aplicación.',
  'gate.setupReplaced': 'Esta configuración se ha reemplazado; empiece de nuevo.',
  'gate.recoveryTitle': 'Guarde sus códigos de recuperación',
  'gate.recoveryIntro':
    'Su aplicación de autenticación está configurada. Si pierde el teléfono, cada uno de estos códigos le permite iniciar sesión una vez. Guárdelos en un lugar seguro; no se volverán a mostrar.',
  'gate.continue': 'Continuar',
  'gate.blockedTitle': 'No puede acceder a esto en este momento',
  'gate.blockedBy': 'Bloqueado por la directiva de acceso condicional de su organización: {policies}.',
  'gate.policyName': '«{name}»',
  'gate.advice.block':
    'Su organización no le permite iniciar sesión en esta aplicación desde aquí. Si cree que la necesita, póngase en contacto con su administrador de TI.',
  'gate.advice.mfa':
    'Su organización requiere la autenticación multifactor para esta aplicación. Su administrador de TI puede ayudarle a configurarla.',
  'gate.advice.compliantDevice': 'Su organización requiere un dispositivo compatible para esta aplicación.',
  'gate.advice.enrolledDevice':
    'Su organización requiere para esta aplicación un dispositivo inscrito en su organización.',
  'gate.advice.signInFrequency': 'Su organización le pide que vuelva a iniciar sesión.',
  'federation.emailIntro':
    'Escriba su correo electrónico del trabajo. Si su organización gestiona su inicio de sesión, irá allí a continuación.',
  'federation.next': 'Siguiente',
  'federation.emailMissing': 'Escriba su dirección de correo electrónico.',
  'federation.refusedTitle': 'Inicio de sesión rechazado',
  'federation.refusedHeading': 'No hemos podido iniciar su sesión',
  'federation.errorCode': 'Código de error: {code}',
  'federation.testTitle': 'Inicio de sesión de prueba',
  'federation.testHeading': 'Inicio de sesión de prueba: {provider}',
  'federation.testIntro': 'No se inició la sesión de nadie y no se cambió nada.',
  'federation.testOk': 'El inicio de sesión funciona. Esta persona iniciaría sesión como se muestra.',
  'federation.testClaims': 'Notificaciones del token de id.',
  'federation.error.federation_expired': 'Esta página de inicio de sesión ha caducado. Empiece de nuevo.',
  'federation.error.federation_email_missing':
    '{provider} no envió ninguna dirección de correo electrónico (notificación "{claim}"). Pida a su administrador que revise la asignación de notificaciones.',
  'federation.error.federation_email_outside_domains':
    '{email} no pertenece a ningún dominio de esta organización ({domains}).',
  'federation.error.federation_email_unverified_domain':
    '{email} no pertenece a ningún dominio comprobado de esta organización.',
  'federation.error.federation_email_taken': '{email} ya pertenece a otra cuenta.',
  'federation.error.federation_account_disabled':
    'Su cuenta está deshabilitada. Póngase en contacto con su administrador.',
  'federation.error.federation_signature_invalid':
    'El token de inicio de sesión de {provider} tiene una firma no válida.',
  'federation.error.federation_issuer_mismatch':
    'El token de inicio de sesión no lo emitió el emisor configurado para {provider}.',
  'federation.error.federation_audience_mismatch':
    'El token de inicio de sesión de {provider} estaba destinado a otra aplicación.',
  'federation.error.federation_token_expired':
    'El token de inicio de sesión de {provider} ha caducado. Vuelva a intentarlo.',
  'federation.error.federation_nonce_mismatch':
    'El token de inicio de sesión de {provider} no corresponde a este inicio de sesión (nonce).',
  'federation.error.federation_state_mismatch':
    'Esta respuesta de inicio de sesión no corresponde a un inicio de sesión empezado en este explorador (state).',
  'federation.error.federation_state_replayed':
    'Esta respuesta de inicio de sesión ya se ha usado o ha caducado. Empiece de nuevo.',
  'federation.error.federation_provider_error': '{provider} rechazó el inicio de sesión: {detail}.',
  'federation.error.federation_provider_unreachable': 'No se pudo contactar con {provider} o está mal configurado.',
  'federation.error.federation_provider_missing': 'Este proveedor de identidades ya no existe.',
  'federation.error.federation_failed': 'Error al iniciar sesión con {provider}: {detail}.',
  'federation.error.forbidden_manage': 'Su rol no le permite administrar proveedores de identidades.',
  'federation.error.forbidden_test': 'Inicie sesión en el centro de administración para probar un proveedor.',
  'federation.error.not_found': 'No se encontró el proveedor de identidades.',
  'signOut.title': 'Cerrar sesión',
  'signOut.question': '¿Quiere cerrar la sesión de Remote Help?',
  'signOut.yes': 'Sí, cerrar la sesión',
  'signOut.no': 'No, mantener la sesión iniciada',
  'signOut.doneTitle': 'Sesión cerrada',
  'signOut.done': 'Ha cerrado la sesión de Remote Help.',
};
