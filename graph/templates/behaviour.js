// What a click does in a network picture (graph.drawing inlines this file after vis-network has drawn):
// on a group of a hub's leaves (graph.hubs), the group opens: its members (in sgMembers until then) are
// added around it; on any
// other node, the view focuses on it: it and its neighbours keep their colours and show their labels,
// the rest fades; on the background, the picture is as it was drawn. The body's data-focus says which
// node has the focus (for tests and the PNG export, which never clicks).
(function () {
    if (typeof network === 'undefined' || network === null) { return; }
    var FADED = 0.12;
    var saved = null;

    function restore() {
        if (saved) {
            nodes.update(saved.nodes);
            edges.update(saved.edges);
            saved = null;
        }
        document.body.removeAttribute('data-focus');
    }

    function openGroup(id) {
        var group = sgMembers[id];
        if (!group) { return; }
        var own = edges.get({filter: function (e) { return e.from === id || e.to === id; }});
        nodes.add(group.nodes);
        edges.add(group.edges);
        nodes.update([{id: id, hidden: true}]);
        edges.update(own.map(function (e) { return {id: e.id, hidden: true}; }));
        delete sgMembers[id];
        document.body.setAttribute('data-opened', id);
    }

    function focusOn(id) {
        restore();
        var near = {};
        near[id] = true;
        network.getConnectedNodes(id).forEach(function (n) { near[n] = true; });
        var allNodes = nodes.get();
        var allEdges = edges.get();
        saved = {
            nodes: allNodes.map(function (n) {
                return {id: n.id, opacity: n.opacity === undefined ? 1 : n.opacity, label: n.label};
            }),
            edges: allEdges.map(function (e) { return {id: e.id, color: e.color}; })
        };
        nodes.update(allNodes.map(function (n) {
            if (near[n.id]) { return {id: n.id, opacity: 1, label: n.sgName || n.label}; }
            return {id: n.id, opacity: FADED};
        }));
        edges.update(allEdges.map(function (e) {
            var colour = (e.color && e.color.color) || '#868e96';
            var keep = e.from === id || e.to === id;
            return {id: e.id, color: {color: colour, opacity: keep ? 1 : FADED}};
        }));
        network.fit({nodes: Object.keys(near), animation: false});
        document.body.setAttribute('data-focus', id);
    }

    network.on('click', function (params) {
        if (!params.nodes.length) { restore(); return; }
        var id = params.nodes[0];
        var node = nodes.get(id);
        if (node && node.sgGroupSize) { restore(); openGroup(id); return; }
        focusOn(id);
    });
})();
