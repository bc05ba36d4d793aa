/** @module identity/i18n/el — the sign-in pages in Greek (terms: web glossary `el.json`). */
import type { Catalog } from './en.js';

export const el: Catalog = {
  'signIn.title': 'Είσοδος',
  'signIn.intro': 'Χρησιμοποιήστε τον λογαριασμό του οργανισμού σας για να συνεχίσετε στο {client}.',
  'signIn.agentClient': 'εφαρμογή Remote Help',
  'signIn.email': 'Διεύθυνση email',
  'signIn.password': 'Κωδικός πρόσβασης',
  'signIn.submit': 'Είσοδος',
  'signIn.or': 'ή',
  'signIn.passkey': 'Είσοδος με κλειδί πρόσβασης',
  'signIn.foot':
    'Ο οργανισμός σας διαχειρίζεται αυτόν τον λογαριασμό. Το Remote Help δεν κοινοποιεί ποτέ τον κωδικό πρόσβασής σας σε όσους σας βοηθούν.',
  'signIn.missingFields': 'Πληκτρολογήστε το email και τον κωδικό πρόσβασής σας.',
  'signIn.wrongPassword': 'Λάθος email ή κωδικός πρόσβασης.',
  'signIn.wrongPasswordWait': 'Λάθος email ή κωδικός πρόσβασης. Δοκιμάστε ξανά σε {duration}.',
  'signIn.disabled': 'Ο λογαριασμός σας είναι απενεργοποιημένος. Επικοινωνήστε με τον διαχειριστή σας.',
  'signIn.tooManyAttempts': 'Πάρα πολλές προσπάθειες. Δοκιμάστε ξανά σε {duration}.',
  'expired.title': 'Η είσοδος έληξε',
  'expired.heading': 'Αυτή η σελίδα εισόδου έχει λήξει',
  'expired.startAgain': 'Έναρξη από την αρχή',
  'providerError.title': 'Σφάλμα εισόδου',
  'providerError.heading': 'Πρόβλημα κατά την είσοδο',
  'common.backToRemoteHelp': 'Επιστροφή στο Remote Help',
  'mfa.title': 'Εισαγωγή κωδικού',
  'mfa.intro': 'Πληκτρολογήστε τον 6ψήφιο κωδικό που εμφανίζεται στην εφαρμογή ελέγχου ταυτότητας.',
  'mfa.code': 'Κωδικός',
  'mfa.recoveryHint': 'Χάσατε το τηλέφωνό σας; Πληκτρολογήστε αντί γι’ αυτό έναν από τους κωδικούς αποκατάστασης.',
  'mfa.verify': 'Επαλήθευση',
  'mfa.usePasskey': 'Χρήση κλειδιού πρόσβασης',
  'mfa.passkeyTitle': 'Χρησιμοποιήστε το κλειδί πρόσβασής σας',
  'mfa.passkeyIntro':
    'Επιβεβαιώστε ότι είστε εσείς με ένα κλειδί πρόσβασης που προσθέσατε στον λογαριασμό σας (το τηλέφωνό σας, ένα κλειδί ασφαλείας ή αυτή τη συσκευή).',
  'mfa.codeMissing': 'Πληκτρολογήστε τον κωδικό από την εφαρμογή ελέγχου ταυτότητας.',
  'mfa.codeWrong': 'Ο κωδικός δεν είναι σωστός ή έχει ήδη χρησιμοποιηθεί.',
  'mfa.codeWrongWait': 'Ο κωδικός δεν είναι σωστός ή έχει ήδη χρησιμοποιηθεί. Δοκιμάστε ξανά σε {duration}.',
  'newPassword.title': 'Ενημέρωση κωδικού πρόσβασης',
  'newPassword.intro': 'Ο διαχειριστής σας ζήτησε να επιλέξετε νέο κωδικό πρόσβασης πριν συνεχίσετε.',
  'newPassword.label': 'Νέος κωδικός πρόσβασης',
  'newPassword.minLength': {
    one: 'Χρησιμοποιήστε τουλάχιστον {count} χαρακτήρα.',
    other: 'Χρησιμοποιήστε τουλάχιστον {count} χαρακτήρες.',
  },
  'newPassword.commonRefused': 'Οι συνηθισμένοι κωδικοί από λίστες διαρρευσμένων κωδικών απορρίπτονται.',
  'newPassword.confirm': 'Επιβεβαίωση κωδικού πρόσβασης',
  'newPassword.mismatch': 'Οι δύο κωδικοί πρόσβασης δεν ταιριάζουν.',
  'newPassword.common':
    'Αυτός ο κωδικός πρόσβασης είναι πολύ συνηθισμένος: εμφανίζεται σε λίστες διαρρευσμένων κωδικών.',
  'passkey.cancelled': 'Το αίτημα κλειδιού πρόσβασης ακυρώθηκε ή έληξε. Δοκιμάστε ξανά.',
  'passkey.failed':
    'Το πρόγραμμα περιήγησης δεν μπόρεσε να χρησιμοποιήσει κλειδί πρόσβασης εδώ. Δοκιμάστε ξανά ή συνδεθείτε με άλλο τρόπο.',
  'passkey.unsupported': 'Αυτό το πρόγραμμα περιήγησης δεν μπορεί να χρησιμοποιήσει κλειδιά πρόσβασης.',
  'passkey.malformed': 'Το πρόγραμμα περιήγησης δεν απάντησε με κλειδί πρόσβασης. Δοκιμάστε ξανά.',
  'passkey.challenge': 'Αυτό το αίτημα κλειδιού πρόσβασης έληξε ή έχει ήδη χρησιμοποιηθεί. Δοκιμάστε ξανά.',
  'passkey.origin': 'Αυτή η απάντηση κλειδιού πρόσβασης δημιουργήθηκε για άλλη τοποθεσία web.',
  'passkey.rp_id': 'Αυτό το κλειδί πρόσβασης ανήκει σε άλλη τοποθεσία web.',
  'passkey.unknown_credential':
    'Αυτό το κλειδί πρόσβασης δεν είναι καταχωρημένο στο Remote Help. Συνδεθείτε με τον κωδικό πρόσβασής σας.',
  'passkey.other_account': 'Αυτό το κλειδί πρόσβασης ανήκει σε άλλο λογαριασμό.',
  'passkey.user_verification':
    'Το κλειδί πρόσβασης δεν επαλήθευσε ότι είστε εσείς (PIN ή βιομετρικά στοιχεία). Δοκιμάστε ξανά.',
  'passkey.counter':
    'Ο μετρητής υπογραφών αυτού του κλειδιού πρόσβασης γύρισε προς τα πίσω, οπότε ίσως έχει αντιγραφεί. Δεν έγινε αποδεκτό· επικοινωνήστε με τον διαχειριστή σας.',
  'passkey.signature': 'Η υπογραφή του κλειδιού πρόσβασης δεν είναι έγκυρη.',
  'passkey.already_added': 'Αυτό το κλειδί πρόσβασης έχει ήδη προστεθεί.',
  'gate.setupTitle': 'Ρύθμιση ελέγχου ταυτότητας πολλών παραγόντων',
  'gate.setupIntro':
    'Ο οργανισμός σας απαιτεί δεύτερο τρόπο απόδειξης της ταυτότητάς σας για αυτή την εφαρμογή. Διαρκεί ένα λεπτό.',
  'gate.stepInstall':
    'Εγκαταστήστε μια εφαρμογή ελέγχου ταυτότητας στο τηλέφωνό σας (Microsoft Authenticator, Google Authenticator ή άλλη).',
  'gate.stepScan': 'Σαρώστε τον κωδικό QR με αυτήν.',
  'gate.stepCode': 'Πληκτρολογήστε τον 6ψήφιο κωδικό που εμφανίζει η εφαρμογή.',
  'gate.qrAlt': 'Κωδικός QR για την εφαρμογή ελέγχου ταυτότητας',
  'gate.cantScan': 'Δεν μπορείτε να τον σαρώσετε; Πληκτρολογήστε αυτό το κλειδί στην εφαρμογή:',
  'gate.sameEntry': 'Χρησιμοποιήστε την καταχώρηση που προσθέσατε μόλις στην εφαρμογή ελέγχου ταυτότητας.',
  'gate.codeLabel': 'Κωδικός από την εφαρμογή',
  'gate.codeWrong': 'Ο κωδικός δεν είναι σωστός. Πληκτρολογήστε τον 6ψήφιο κωδικό που εμφανίζει τώρα η εφαρμογή.',
  'gate.setupReplaced': 'Αυτή η ρύθμιση αντικαταστάθηκε· ξεκινήστε από την αρχή.',
  'gate.recoveryTitle': 'Αποθηκεύστε τους κωδικούς αποκατάστασης',
  'gate.recoveryIntro':
    'Η εφαρμογή ελέγχου ταυτότητας ρυθμίστηκε. Αν χάσετε το τηλέφωνό σας, κάθε ένας από αυτούς τους κωδικούς σάς επιτρέπει να συνδεθείτε μία φορά. Φυλάξτε τους σε ασφαλές μέρος· δεν θα εμφανιστούν ξανά.',
  'gate.continue': 'Συνέχεια',
  'gate.blockedTitle': 'Δεν έχετε πρόσβαση σε αυτό αυτή τη στιγμή',
  'gate.blockedBy': 'Αποκλείστηκε από την πολιτική πρόσβασης υπό όρους του οργανισμού σας: {policies}.',
  'gate.policyName': '«{name}»',
  'gate.advice.block':
    'Ο οργανισμός σας δεν σας επιτρέπει να συνδεθείτε σε αυτή την εφαρμογή από εδώ. Αν πιστεύετε ότι τη χρειάζεστε, επικοινωνήστε με τον διαχειριστή IT.',
  'gate.advice.mfa':
    'Ο οργανισμός σας απαιτεί έλεγχο ταυτότητας πολλών παραγόντων για αυτή την εφαρμογή. Ο διαχειριστής IT μπορεί να σας βοηθήσει να τον ρυθμίσετε.',
  'gate.advice.compliantDevice': 'Ο οργανισμός σας απαιτεί συμβατή συσκευή για αυτή την εφαρμογή.',
  'gate.advice.enrolledDevice':
    'Ο οργανισμός σας απαιτεί για αυτή την εφαρμογή συσκευή εγγεγραμμένη στον οργανισμό σας.',
  'gate.advice.signInFrequency': 'Ο οργανισμός σας σάς ζητά να συνδεθείτε ξανά.',
  'federation.emailIntro':
    'Πληκτρολογήστε το email εργασίας σας. Αν η είσοδός σας γίνεται από τον οργανισμό σας, θα μεταφερθείτε εκεί.',
  'federation.next': 'Επόμενο',
  'federation.emailMissing': 'Πληκτρολογήστε τη διεύθυνση email σας.',
  'federation.refusedTitle': 'Η είσοδος απορρίφθηκε',
  'federation.refusedHeading': 'Δεν ήταν δυνατή η είσοδός σας',
  'federation.errorCode': 'Κωδικός σφάλματος: {code}',
  'federation.testTitle': 'Δοκιμαστική είσοδος',
  'federation.testHeading': 'Δοκιμαστική είσοδος: {provider}',
  'federation.testIntro': 'Κανείς δεν συνδέθηκε και τίποτα δεν άλλαξε.',
  'federation.testOk': 'Η είσοδος λειτουργεί. Αυτό το άτομο θα συνδεόταν όπως φαίνεται.',
  'federation.testClaims': 'Δηλώσεις από το διακριτικό ID',
  'federation.error.federation_expired': 'Αυτή η σελίδα εισόδου έχει λήξει. Ξεκινήστε από την αρχή.',
  'federation.error.federation_email_missing':
    'Η υπηρεσία {provider} δεν έστειλε διεύθυνση email (δήλωση «{claim}»). Ζητήστε από τον διαχειριστή να ελέγξει την αντιστοίχιση δηλώσεων.',
  'federation.error.federation_email_outside_domains':
    'Το {email} δεν ανήκει σε τομέα αυτού του οργανισμού ({domains}).',
  'federation.error.federation_email_unverified_domain':
    'Το {email} δεν ανήκει σε επαληθευμένο τομέα αυτού του οργανισμού.',
  'federation.error.federation_email_taken': 'Το {email} ανήκει ήδη σε άλλο λογαριασμό.',
  'federation.error.federation_account_disabled':
    'Ο λογαριασμός σας είναι απενεργοποιημένος. Επικοινωνήστε με τον διαχειριστή σας.',
  'federation.error.federation_signature_invalid': 'Το διακριτικό εισόδου από {provider} έχει μη έγκυρη υπογραφή.',
  'federation.error.federation_issuer_mismatch':
    'Το διακριτικό εισόδου δεν εκδόθηκε από τον ρυθμισμένο εκδότη της υπηρεσίας {provider}.',
  'federation.error.federation_audience_mismatch':
    'Το διακριτικό εισόδου από {provider} προοριζόταν για άλλη εφαρμογή.',
  'federation.error.federation_token_expired': 'Το διακριτικό εισόδου από {provider} έληξε. Δοκιμάστε ξανά.',
  'federation.error.federation_nonce_mismatch':
    'Το διακριτικό εισόδου από {provider} δεν ανήκει σε αυτή την είσοδο (nonce).',
  'federation.error.federation_state_mismatch':
    'Αυτή η απάντηση εισόδου δεν ανήκει σε είσοδο που ξεκίνησε σε αυτό το πρόγραμμα περιήγησης (state).',
  'federation.error.federation_state_replayed':
    'Αυτή η απάντηση εισόδου έχει ήδη χρησιμοποιηθεί ή έχει λήξει. Ξεκινήστε από την αρχή.',
  'federation.error.federation_provider_error': 'Η υπηρεσία {provider} απέρριψε την είσοδο: {detail}.',
  'federation.error.federation_provider_unreachable':
    'Η υπηρεσία {provider} δεν είναι προσβάσιμη ή δεν έχει ρυθμιστεί σωστά.',
  'federation.error.federation_provider_missing': 'Αυτή η υπηρεσία παροχής ταυτότητας δεν υπάρχει πλέον.',
  'federation.error.federation_failed': 'Η είσοδος με {provider} απέτυχε: {detail}.',
  'federation.error.forbidden_manage': 'Ο ρόλος σας δεν σας επιτρέπει να διαχειρίζεστε υπηρεσίες παροχής ταυτότητας.',
  'federation.error.forbidden_test': 'Συνδεθείτε στο κέντρο διαχείρισης για να δοκιμάσετε μια υπηρεσία.',
  'federation.error.not_found': 'Δεν βρέθηκε η υπηρεσία παροχής ταυτότητας.',
  'signOut.title': 'Έξοδος',
  'signOut.question': 'Θέλετε να αποσυνδεθείτε από το Remote Help;',
  'signOut.yes': 'Ναι, αποσύνδεση',
  'signOut.no': 'Όχι, παραμονή σε σύνδεση',
  'signOut.doneTitle': 'Αποσυνδεθήκατε',
  'signOut.done': 'Αποσυνδεθήκατε από το Remote Help.',
};
