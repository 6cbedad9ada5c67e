#!/usr/bin/env node
// A fake LLM provider for the send suites (tests/5xxx): no network, no npm
// packages. It replays scripted replies and records every request, so a test
// can check what llm-send put on the wire and how it took each reply.
//
//   node tests/helpers/fake-llm.mjs SCRIPT.json LOG.jsonl
//
// It listens on 127.0.0.1, port 0 (the kernel picks), prints "PORT\n" on
// stdout when ready, and answers the Nth request with the Nth entry of the
// script (a JSON array). Each entry is one of
//
//   {status, headers, body}                       one whole reply
//   {status, headers, chunks: [{data, delay_ms}], stall_ms, close}
//
// and may also carry delay_ms: wait that long before anything (no status
// line), to test a server that accepts and then says nothing.
//
// - status: default 200. headers: an object, sent as given.
// - body: a string is sent as is; anything else as JSON (Content-Type
//   application/json unless headers set one). Content-Length is set.
// - chunks: written one by one, each after its delay_ms (default 0), with
//   chunked transfer encoding (Content-Type text/event-stream unless headers
//   set one). data is a string sent as UTF-8 bytes, or b64: base64 bytes, so
//   a test controls every split (CR/LF/CRLF, a BOM, half a UTF-8 sequence).
// - split: N: the chunks' bytes joined and cut again into pieces of N bytes
//   (delays dropped), for a stream read in every framing.
// - stall_ms: after the chunks, hold the connection open that long saying
//   nothing (until the client gives up and closes it, if sooner).
// - close: true: then destroy the socket instead of ending the reply, so the
//   stream is cut short (no final chunk).
// - a chunk's wait_file: PATH: before that chunk, wait until PATH exists
//   (polled; 10 s at most, then the socket is destroyed), so a test can do
//   something while the reply is half sent, without sleeping.
// - hold: true: the connection is kept open after the reply (keep-alive,
//   or with stall_ms a stream never ended) and the reply counts as done only
//   when the client closes it: a server that waits for the client to hang up.
//
// Each request is appended to LOG.jsonl as {method, path, headers, body}
// once its body is read: path with the query, header names lower case, body
// parsed when it is JSON, else the text (null when empty). A request past
// the end of the script is logged too and answered 500, so a test counting
// requests sees it. The server exits 0 once the last scripted reply is done
// (sent, or its connection closed), or on SIGTERM/SIGINT.

import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';

const [scriptFile, logFile] = process.argv.slice(2);
if (!scriptFile || !logFile) {
	process.stderr.write('usage: fake-llm.mjs SCRIPT.json LOG.jsonl\n');
	process.exit(64);
}

let script = JSON.parse(fs.readFileSync(scriptFile, 'utf8'));
if (!Array.isArray(script)) script = script.responses;
if (!Array.isArray(script)) {
	process.stderr.write('fake-llm: the script is not an array of replies\n');
	process.exit(65);
}
fs.writeFileSync(logFile, '', { flag: 'a' });

let next = 0; // the script entry for the next request
let done = 0; // scripted replies finished
const sockets = new Set();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function finish() {
	done++;
	if (done >= script.length) {
		// let the last bytes leave before the process goes
		setTimeout(() => process.exit(0), 20);
	}
}

function bytes(chunk) {
	if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
	if (chunk && typeof chunk.b64 === 'string') return Buffer.from(chunk.b64, 'base64');
	if (chunk && typeof chunk.data === 'string') return Buffer.from(chunk.data, 'utf8');
	if (chunk && chunk.data !== undefined) return Buffer.from(JSON.stringify(chunk.data), 'utf8');
	return Buffer.alloc(0);
}

function hasHeader(headers, name) {
	return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

async function serve(entry, req, res) {
	let closed = false;
	res.on('close', () => {
		closed = true;
	});
	if (entry.delay_ms) {
		await waitOrClose(entry.delay_ms, () => closed);
		if (closed) return;
	}
	const status = entry.status ?? 200;
	const headers = { ...(entry.headers || {}) };
	if (entry.chunks) {
		if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'text/event-stream';
		res.writeHead(status, headers);
		res.flushHeaders();
		let chunks = entry.chunks;
		if (entry.split > 0) {
			const all = Buffer.concat(chunks.map(bytes));
			chunks = [];
			for (let o = 0; o < all.length; o += entry.split)
				chunks.push({ b64: all.subarray(o, o + entry.split).toString('base64') });
		}
		for (const c of chunks) {
			if (c && c.delay_ms) await waitOrClose(c.delay_ms, () => closed);
			if (c && c.wait_file) {
				const end = Date.now() + 10000;
				while (!closed && !fs.existsSync(c.wait_file) && Date.now() < end) await sleep(20);
				if (!closed && !fs.existsSync(c.wait_file)) {
					process.stderr.write(`fake-llm: ${c.wait_file} never came\n`);
					req.socket.destroy();
					return;
				}
			}
			if (closed) return;
			const b = bytes(c);
			// wait until the bytes are out, so a close after them cuts the
			// stream there and does not swallow them
			if (b.length) await new Promise((r) => res.write(b, r));
		}
	} else {
		let body = entry.body;
		if (body === undefined || body === null) body = '';
		if (typeof body !== 'string') {
			body = JSON.stringify(body);
			if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/json';
		}
		const b = Buffer.from(body, 'utf8');
		if (!hasHeader(headers, 'content-length') && !entry.stall_ms && !entry.close)
			headers['Content-Length'] = String(b.length);
		res.writeHead(status, headers);
		if (b.length) res.write(b);
		else res.flushHeaders();
	}
	if (entry.stall_ms) {
		await waitOrClose(entry.stall_ms, () => closed);
		if (closed) return;
	}
	if (entry.close) {
		// let the client read what was sent before the connection goes
		await sleep(50);
		req.socket.destroy();
		return;
	}
	res.end();
}

// waitOrClose MS GONE: sleep MS, waking early when GONE() says the client left
async function waitOrClose(ms, gone) {
	const end = Date.now() + ms;
	while (!gone() && Date.now() < end) await sleep(Math.min(20, end - Date.now()));
}

// With FAKE_TLS_CERT and FAKE_TLS_KEY (PEM files) it speaks HTTPS instead.
const tls = process.env.FAKE_TLS_CERT
	? { cert: fs.readFileSync(process.env.FAKE_TLS_CERT), key: fs.readFileSync(process.env.FAKE_TLS_KEY) }
	: null;
const onRequest = (req, res) => {
	const parts = [];
	req.on('data', (d) => parts.push(d));
	req.on('end', () => {
		const text = Buffer.concat(parts).toString('utf8');
		let body = text === '' ? null : text;
		try {
			if (text !== '') body = JSON.parse(text);
		} catch {
			// not JSON: the text as it came
		}
		const record = { method: req.method, path: req.url, headers: req.headers, body };
		const i = next++;
		if (i >= script.length) record.extra = true;
		fs.appendFileSync(logFile, JSON.stringify(record) + '\n');
		if (i >= script.length) {
			res.writeHead(500, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ error: { message: 'fake-llm: the script is used up' } }));
			return;
		}
		let counted = false;
		const once = () => {
			if (!counted) {
				counted = true;
				finish();
			}
		};
		if (script[i].hold) req.socket.on('close', once);
		else res.on('close', once);
		serve(script[i], req, res).catch((e) => {
			process.stderr.write(`fake-llm: ${e.message}\n`);
			req.socket.destroy();
			once();
		});
	});
};
const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
server.keepAliveTimeout = 60000;
server.on('connection', (s) => {
	sockets.add(s);
	s.on('close', () => sockets.delete(s));
});

for (const sig of ['SIGTERM', 'SIGINT']) {
	process.on(sig, () => {
		for (const s of sockets) s.destroy();
		process.exit(0);
	});
}

server.listen(0, '127.0.0.1', () => {
	process.stdout.write(`${server.address().port}\n`);
	if (script.length === 0) {
		// nothing to serve: stay until told to stop, so a test can check
		// that nothing was sent
	}
});
