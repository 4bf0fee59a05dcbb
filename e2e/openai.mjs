// The official openai npm client, unchanged, against 'miaobi serve':
// node openai.mjs BASE_URL API_KEY. Prints what it checked; exits 1 on the
// first thing that is wrong.
import OpenAI from 'openai';

const [base, key] = process.argv.slice(2);
const client = new OpenAI({ baseURL: base + '/v1', apiKey: key, maxRetries: 0 });
const fail = (msg) => { console.error('FAIL: ' + msg); process.exit(1); };
const lines = (text) => text.split(/[，。\n]/).filter((s) => /^\p{Script=Han}{7}$/u.test(s));

const models = await client.models.list();
const ids = models.data.map((m) => m.id);
if (!ids.includes('miaobi-poet')) fail('models: ' + ids);
console.log('models:', ids.join(', '));

const ask = [{ role: 'user', content: '写一首七绝，关键词：秋风、落叶' }];
const done = await client.chat.completions.create({ model: 'miaobi-poet', messages: ask, seed: 7 });
const text = done.choices[0].message.content;
if (done.object !== 'chat.completion' || done.choices[0].finish_reason !== 'stop') fail('completion: ' + JSON.stringify(done));
if (lines(text).length !== 4 || !lines(text).every((l) => [...l].length === 7)) fail('not a 七绝: ' + text);
if (!text.includes('AI生成')) fail('no label: ' + text);
console.log('completion:\n' + text);

let streamed = '';
let chunks = 0;
const t0 = performance.now();
let first = 0;
const stream = await client.chat.completions.create({ model: 'miaobi-poet', messages: ask, seed: 7, stream: true });
for await (const chunk of stream) {
  if (!first) first = performance.now() - t0;
  chunks++;
  streamed += chunk.choices[0]?.delta?.content ?? '';
}
if (streamed !== text) fail('stream differs:\n' + streamed + '\nfrom\n' + text);
console.log(`stream: ${chunks} chunks, first after ${first.toFixed(1)} ms, same text`);

const follow = await client.chat.completions.create({
  model: 'miaobi-poet', seed: 7,
  messages: [...ask, { role: 'assistant', content: text }, { role: 'user', content: '第三句再凄凉些' }],
});
const a = lines(text), b = lines(follow.choices[0].message.content);
if (b.length !== 4 || a[2] === b[2] || a[0] !== b[0] || a[1] !== b[1]) fail('follow-up:\n' + follow.choices[0].message.content);
console.log('follow-up, line 3: ' + a[2] + ' → ' + b[2]);

const img = await client.images.generate({ model: 'miaobi-painter', prompt: '孤舟 月 江 夜', size: '512x256' });
const png = Buffer.from(img.data[0].b64_json, 'base64');
if (png.subarray(1, 4).toString() !== 'PNG' || png.readUInt32BE(16) !== 512 || png.readUInt32BE(20) !== 256) fail('image: not a 512×256 PNG');
if (!png.includes(Buffer.from('c2pa'))) fail('image: no C2PA manifest');
console.log(`image: ${png.length} bytes, 512×256 PNG with a C2PA manifest`);

const speech = await client.audio.speech.create({ model: 'miaobi-voice', voice: 'alloy', response_format: 'wav',
  input: '床前明月光，疑是地上霜。举头望明月，低头思故乡。' });
const wav = Buffer.from(await speech.arrayBuffer());
if (wav.subarray(0, 4).toString() !== 'RIFF' || wav.subarray(8, 12).toString() !== 'WAVE') fail('speech: not a WAV');
if (!wav.includes(Buffer.from('AIGC')) || !wav.includes(Buffer.from('C2PA'))) fail('speech: no AIGC label or C2PA chunk');
console.log(`speech: ${wav.length} bytes of WAV with its AIGC label and C2PA manifest`);

try {
  await client.chat.completions.create({ model: 'gpt-nothing', messages: ask });
  fail('unknown model accepted');
} catch (e) {
  if (!(e instanceof OpenAI.NotFoundError) || e.code !== 'model_not_found') fail('unknown model: ' + e);
  console.log('unknown model: ' + e.status + ' ' + e.code);
}
try {
  await new OpenAI({ baseURL: base + '/v1', apiKey: 'mbk_wrong', maxRetries: 0 }).models.list();
  fail('wrong key accepted');
} catch (e) {
  if (!(e instanceof OpenAI.AuthenticationError)) fail('wrong key: ' + e);
  console.log('wrong key: ' + e.status);
}
console.log('ok');
