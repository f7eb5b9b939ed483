/** The one Pothos schema builder: plugins and scalar/context types, nothing else. */
import SchemaBuilder from "@pothos/core";
import DataloaderPlugin from "@pothos/plugin-dataloader";
import RelayPlugin from "@pothos/plugin-relay";
import type { GraphQLContext } from "./context.js";

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
}>({
  plugins: [RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  relay: {
    // Curriculum ids are stable, meaningful strings ("math.g5.fraction-add"): apps keep them as
    // they are, so no opaque global ids and no node(id:) field.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    cursorType: "String",
  },
});

builder.queryType({});
