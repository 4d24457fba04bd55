// The join page, as lesson 09 teaches it (lessons/09-rooms/public/join.ts), for a
// later lesson's index.html: <script type="module" src="/shared/public/join-page.js">.
// The form does the real work (a GET to chat.html); this only shows why the
// chat page sent you back, and fills in what you typed.
export {}; // a module (as the page loads it), so its names stay its own
const params = new URLSearchParams(location.search);
const error = document.querySelector<HTMLElement>('#error')!;
const fields = ['name', 'room'].map((id) => document.querySelector<HTMLInputElement>(`#${id}`)!);

for (const field of fields) field.value = params.get(field.name) ?? '';

const reason = params.get('error');
if (reason) {
  error.textContent = `Could not join: ${reason}.`;
  error.hidden = false;
  // Put the cursor where the problem is.
  (fields.find((field) => reason.startsWith(field.name)) ?? fields[0]).focus();
}
