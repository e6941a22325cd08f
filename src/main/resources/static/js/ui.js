// Small DOM helpers shared by the tabs. Text always goes in as text nodes, never as HTML.

/** h('div', {class: 'x', onclick: fn}, 'text', child) */
export function h(tag, attrs = {}, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false) {
			continue;
		}
		if (k.startsWith('on')) {
			el.addEventListener(k.slice(2), v);
		}
		else if (k === 'dataset') {
			Object.assign(el.dataset, v);
		}
		else {
			el.setAttribute(k, v === true ? '' : v);
		}
	}
	for (const c of children.flat(Infinity)) {
		if (c !== null && c !== undefined && c !== false) {
			el.append(c instanceof Node ? c : String(c));
		}
	}
	return el;
}

export function bytes(n) {
	if (n === null || n === undefined) {
		return '–';
	}
	const units = ['B', 'kB', 'MB', 'GB', 'TB'];
	let i = 0;
	while (n >= 1000 && i < units.length - 1) {
		n /= 1000;
		i++;
	}
	return `${n.toFixed(i && n < 10 ? 1 : 0)} ${units[i]}`;
}

export function count(n) {
	if (n === null || n === undefined) {
		return '–';
	}
	if (n >= 1e6) {
		return `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)} M`;
	}
	if (n >= 1e3) {
		return `${(n / 1e3).toFixed(1)} k`;
	}
	return String(n);
}

export function duration(seconds) {
	if (seconds === null || seconds === undefined || !isFinite(seconds)) {
		return '–';
	}
	seconds = Math.max(0, Math.round(seconds));
	if (seconds < 60) {
		return `${seconds}s`;
	}
	const m = Math.floor(seconds / 60);
	if (m < 60) {
		return `${m}m ${seconds % 60}s`;
	}
	return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function when(iso) {
	if (!iso) {
		return '–';
	}
	const d = new Date(iso);
	return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function num(x, digits = 3) {
	return typeof x === 'number' && isFinite(x) ? Number(x.toFixed(digits)).toString() : '–';
}

let toastTimer;

export function toast(message, kind = 'info') {
	const el = document.getElementById('toast');
	el.textContent = message;
	el.className = `toast show ${kind}`;
	clearTimeout(toastTimer);
	toastTimer = setTimeout(() => (el.className = 'toast'), 4000);
}

/** A problem+json shown the way every tab shows it: detail, then the code in small type. */
export function problemBox(err) {
	return h('div', { class: 'problem', role: 'alert' }, h('span', {}, err.message),
		err.code ? h('code', {}, err.code) : null);
}

export function confirmDialog(title, text, okLabel = 'Confirm') {
	const dialog = document.getElementById('confirm-dialog');
	document.getElementById('confirm-title').textContent = title;
	document.getElementById('confirm-text').textContent = text;
	document.getElementById('confirm-ok').textContent = okLabel;
	return new Promise((resolve) => {
		dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
		dialog.returnValue = '';
		dialog.showModal();
	});
}

export function statusBadge(status) {
	return h('span', { class: `badge ${String(status).toLowerCase()}` }, status);
}
