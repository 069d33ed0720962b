// Renders chat requests with llama.cpp's Jinja path (npm @fugood/llama.node 1.7.15, llama.cpp of
// August 2026): node render-chat.js <model.gguf> <requests.json> <out.json>, where requests.json is
// a list of {messages, tools, add_generation_prompt, chat_template_kwargs?} (OpenAI chat format;
// llama.cpp passes the kwargs to the template as variables) and out.json receives the
// list of prompts (or {error} for a request llama.cpp refused). LLAMA_NODE_DIR names the folder
// with node_modules/@fugood/llama.node (ci/fetch-llama-node.sh fills build/llama-node).
const fs = require('fs');
const path = require('path');
const dir = process.env.LLAMA_NODE_DIR;
if (!dir) throw new Error('LLAMA_NODE_DIR is not set');
const { loadModel } = require(path.join(dir, 'node_modules/@fugood/llama.node'));

(async () => {
  const [model, requestsFile, outFile] = process.argv.slice(2);
  const requests = JSON.parse(fs.readFileSync(requestsFile, 'utf8'));
  const ctx = await loadModel({ model, n_ctx: 256, n_gpu_layers: 0, n_threads: 1 });
  const out = requests.map((r) => {
    try {
      const params = { jinja: true, add_generation_prompt: r.add_generation_prompt };
      if (r.tools && r.tools.length) params.tools = r.tools;
      if (r.chat_template_kwargs) params.chat_template_kwargs = r.chat_template_kwargs;
      return { prompt: ctx.getFormattedChat(r.messages, null, params).prompt };
    } catch (e) {
      return { error: String(e && e.message ? e.message : e) };
    }
  });
  fs.writeFileSync(outFile, JSON.stringify(out));
  await ctx.release();
})().catch((e) => { console.error(e); process.exit(1); });
