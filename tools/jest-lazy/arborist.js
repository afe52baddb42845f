"use strict";
// See lazy.js: npm's Arborist, loaded when first used.
module.exports = require("./lazy")("@npmcli/arborist");
