"use strict";
// See lazy.js: the TypeScript compiler, loaded when first used.
module.exports = require("./lazy")("typescript");
