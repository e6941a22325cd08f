// The only way the page talks to the service: the public HTTP API, with the API key (if any) from sessionStorage.
const KEY = 'deepserve.apiKey';

export class ApiError extends Error {
	constructor(status, problem) {
		super(problem.detail || problem.title || `HTTP ${status}`);
		this.status = status;
		this.code = problem.code || `http_${status}`;
		this.problem = problem;
	}
}

function authHeaders() {
	const key = sessionStorage.getItem(KEY);
	return key ? { Authorization: `Bearer ${key}` } : {};
}

let pendingKey = null;

// Several requests may hit a 401 at once: they all wait for the one dialog.
function askForKey(refused) {
	if (!pendingKey) {
		pendingKey = new Promise((resolve, reject) => {
			const dialog = document.getElementById('key-dialog');
			const input = document.getElementById('key-input');
			document.getElementById('key-reason').textContent = refused
				? 'That key was refused. Try another; it is kept for this tab only (sessionStorage).'
				: 'The service asks for an API key. It is kept for this tab only (sessionStorage).';
			input.value = '';
			dialog.addEventListener('close', () => {
				pendingKey = null;
				if (dialog.returnValue === 'ok' && input.value.trim()) {
					sessionStorage.setItem(KEY, input.value.trim());
					resolve();
				}
				else {
					reject(new ApiError(401, { code: 'unauthorized', detail: 'an API key is needed for this' }));
				}
			}, { once: true });
			dialog.showModal();
		});
	}
	return pendingKey;
}

async function problemOf(res) {
	const text = await res.text();
	try {
		return JSON.parse(text);
	}
	catch {
		return { title: res.statusText, detail: text.slice(0, 200) || `HTTP ${res.status}` };
	}
}

/** fetch() with the key, JSON in and out, and problem+json turned into an ApiError. */
export async function api(path, { method = 'GET', json, body, headers = {} } = {}) {
	for (let attempt = 0; ; attempt++) {
		const h = { Accept: 'application/json, application/problem+json', ...headers, ...authHeaders() };
		let payload = body;
		if (json !== undefined) {
			h['Content-Type'] = 'application/json';
			payload = JSON.stringify(json);
		}
		const res = await fetch(path, { method, headers: h, body: payload });
		if (res.status === 401 && attempt < 3) {
			await askForKey(attempt > 0 || sessionStorage.getItem(KEY) !== null);
			continue;
		}
		if (!res.ok) {
			throw new ApiError(res.status, await problemOf(res));
		}
		if (res.status === 204) {
			return null;
		}
		const type = res.headers.get('Content-Type') || '';
		return type.includes('json') ? res.json() : res.text();
	}
}

/** A multipart POST through XMLHttpRequest, the one browser API that reports upload progress. */
export function upload(path, formData, onProgress) {
	const send = (attempt) => new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', path);
		xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
		for (const [k, v] of Object.entries(authHeaders())) {
			xhr.setRequestHeader(k, v);
		}
		xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
		xhr.onerror = () => reject(new ApiError(0, { code: 'network_error', detail: 'the upload did not reach the service' }));
		xhr.onload = () => {
			let parsed;
			try {
				parsed = JSON.parse(xhr.responseText);
			}
			catch {
				parsed = { detail: xhr.responseText.slice(0, 200) };
			}
			if (xhr.status === 401 && attempt < 3) {
				askForKey(attempt > 0).then(() => send(attempt + 1)).then(resolve, reject);
			}
			else if (xhr.status >= 200 && xhr.status < 300) {
				resolve(parsed);
			}
			else {
				reject(new ApiError(xhr.status, parsed));
			}
		};
		xhr.send(formData);
	});
	return send(0);
}

/**
 * Follows a text/event-stream with fetch rather than EventSource, which cannot send an Authorization header.
 * Calls onEvent(name, data) per event; resolves when the server ends the stream; abort with the signal.
 */
export async function events(path, onEvent, signal) {
	const res = await fetch(path, { headers: { Accept: 'text/event-stream', ...authHeaders() }, signal });
	if (!res.ok) {
		throw new ApiError(res.status, await problemOf(res));
	}
	const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
	let buffer = '';
	for (;;) {
		const { value, done } = await reader.read();
		if (done) {
			return;
		}
		buffer += value.replace(/\r\n?/g, '\n');
		let end;
		while ((end = buffer.indexOf('\n\n')) >= 0) {
			const block = buffer.slice(0, end);
			buffer = buffer.slice(end + 2);
			let name = 'message';
			const data = [];
			for (const line of block.split('\n')) {
				if (line.startsWith('event:')) {
					name = line.slice(6).trim();
				}
				else if (line.startsWith('data:')) {
					data.push(line.slice(5).replace(/^ /, ''));
				}
			}
			if (data.length) {
				onEvent(name, JSON.parse(data.join('\n')));
			}
		}
	}
}
