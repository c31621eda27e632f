//! html5ever's parse of a whole page into scraper's `Html`, as `Html::parse_document` does,
//! with a bound on the work of html5ever's tree builder for each token (a tag, a run of
//! text).
//!
//! The HTML standard's tree construction searches the stack of open elements for most
//! tags: every block start tag (`<p>`, `<div>`, `<ol>`, `<li>` …) asks whether a `<p>` is
//! open "in button scope", a search that only a table, a button or the like stops, so a
//! page whose blocks nest N deep costs html5ever N² steps. Counting the tree builder's
//! looks at nodes (an element's name, whether two nodes are one) bounds that: a token
//! that costs more than the bound ends the parse with an error, and a page's parse is
//! linear in its length.
//!
//! This is a crate of its own so that html5ever's tree builder, instantiated here for the
//! counting sink, is compiled with optimisations in debug builds as the rest of html5ever
//! is (kiyaku's `[profile.dev.package]`); compiled inside kiyaku it ran six times slower.

use std::borrow::Cow;
use std::cell::Cell;

use ego_tree::NodeId;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{
    ElementFlags, NodeOrText, QuirksMode, TreeBuilder, TreeBuilderOpts, TreeSink,
};
use html5ever::{Attribute, QualName, TokenizerResult};
use scraper::{Html, HtmlTreeSink};

/// A token cost the tree builder more than the bound: the page nests too deep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooMuchWork;

/// The page's tree, as `Html::parse_document` builds it, unless one token makes the tree
/// builder look at nodes more than `max_looks` times. Each open element a scope search
/// passes costs two looks (its name against the scope, and against the element sought).
pub fn parse_document(source: &str, max_looks: u64) -> Result<Html, TooMuchWork> {
    let builder = TreeBuilder::new(
        CountingSink {
            inner: HtmlTreeSink::new(Html::new_document()),
            looks: Cell::new(0),
        },
        TreeBuilderOpts::default(),
    );
    let tokenizer = Tokenizer::new(
        Bounded {
            builder,
            max_looks,
            refused: Cell::new(false),
        },
        TokenizerOpts::default(),
    );
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(source));
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    if tokenizer.sink.refused.get() {
        return Err(TooMuchWork);
    }
    Ok(tokenizer.sink.builder.sink.inner.finish())
}

/// Passes tokens to the tree builder until one costs it more than `max_looks`; every token
/// after that is dropped.
struct Bounded {
    builder: TreeBuilder<NodeId, CountingSink>,
    max_looks: u64,
    refused: Cell<bool>,
}

impl TokenSink for Bounded {
    type Handle = NodeId;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<NodeId> {
        if self.refused.get() {
            return TokenSinkResult::Continue;
        }
        let looks = &self.builder.sink.looks;
        looks.set(0);
        let result = self.builder.process_token(token, line_number);
        if looks.get() > self.max_looks {
            self.refused.set(true);
            return TokenSinkResult::Continue;
        }
        result
    }

    fn end(&self) {
        if !self.refused.get() {
            self.builder.end();
        }
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        !self.refused.get()
            && self
                .builder
                .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// scraper's tree sink, counting the tree builder's looks at nodes (a name, or whether two
/// nodes are one): what its searches of the open elements cost.
struct CountingSink {
    inner: HtmlTreeSink,
    looks: Cell<u64>,
}

impl TreeSink for CountingSink {
    type Handle = NodeId;
    type Output = Html;
    type ElemName<'a> = <HtmlTreeSink as TreeSink>::ElemName<'a>;

    fn finish(self) -> Html {
        self.inner.finish()
    }
    fn parse_error(&self, msg: Cow<'static, str>) {
        self.inner.parse_error(msg)
    }
    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }
    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Self::ElemName<'a> {
        self.looks.set(self.looks.get() + 1);
        self.inner.elem_name(target)
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.inner.create_element(name, attrs, flags)
    }
    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }
    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }
    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        self.inner.append(parent, child)
    }
    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        self.inner
            .append_based_on_parent_node(element, prev_element, child)
    }
    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.inner
            .append_doctype_to_document(name, public_id, system_id)
    }
    fn mark_script_already_started(&self, node: &NodeId) {
        self.inner.mark_script_already_started(node)
    }
    fn pop(&self, node: &NodeId) {
        self.inner.pop(node)
    }
    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }
    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.looks.set(self.looks.get() + 1);
        self.inner.same_node(x, y)
    }
    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode)
    }
    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        self.inner.append_before_sibling(sibling, new_node)
    }
    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs)
    }
    fn associate_with_form(
        &self,
        target: &NodeId,
        form: &NodeId,
        nodes: (&NodeId, Option<&NodeId>),
    ) {
        self.inner.associate_with_form(target, form, nodes)
    }
    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target)
    }
    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent)
    }
    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        self.inner
            .is_mathml_annotation_xml_integration_point(handle)
    }
    fn set_current_line(&self, line_number: u64) {
        self.inner.set_current_line(line_number)
    }
    fn allow_declarative_shadow_roots(&self, intended_parent: &NodeId) -> bool {
        self.inner.allow_declarative_shadow_roots(intended_parent)
    }
    fn attach_declarative_shadow(
        &self,
        location: &NodeId,
        template: &NodeId,
        attrs: &[Attribute],
    ) -> bool {
        self.inner
            .attach_declarative_shadow(location, template, attrs)
    }
    fn maybe_clone_an_option_into_selectedcontent(&self, option: &NodeId) {
        self.inner
            .maybe_clone_an_option_into_selectedcontent(option)
    }
}
