//! `#[derive(FromRow)]` for `zhengwu::storage::Row`: each named field is read from the column
//! of the same name (`#[row(flatten)]` reads a nested struct from the same row; `#[row(skip)]`
//! leaves a field at its default, for what the caller fills in after the query).
//!
//! Why our own: the storage layer has a row type of its own (so rusqlite and sqlx upgrade
//! independently), and sqlx's derive only targets sqlx's rows. This is the whole macro.

use proc_macro::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, parse_macro_input};

#[proc_macro_derive(FromRow, attributes(row))]
pub fn from_row(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let name = &input.ident;
    let (impl_g, ty_g, where_c) = input.generics.split_for_impl();
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(f) => &f.named,
            _ => {
                return syn::Error::new_spanned(name, "FromRow needs named fields")
                    .to_compile_error()
                    .into();
            }
        },
        _ => {
            return syn::Error::new_spanned(name, "FromRow is for structs")
                .to_compile_error()
                .into();
        }
    };
    let mut inits = Vec::new();
    for f in fields {
        let Some(id) = f.ident.as_ref() else { continue };
        let mut flatten = false;
        let mut skip = false;
        for a in f.attrs.iter().filter(|a| a.path().is_ident("row")) {
            let r = a.parse_nested_meta(|m| {
                if m.path.is_ident("flatten") {
                    flatten = true;
                    Ok(())
                } else if m.path.is_ident("skip") {
                    skip = true;
                    Ok(())
                } else {
                    Err(m.error("unknown row attribute (only `flatten` or `skip`)"))
                }
            });
            if let Err(e) = r {
                return e.to_compile_error().into();
            }
        }
        inits.push(if skip {
            quote! { #id: ::core::default::Default::default() }
        } else if flatten {
            quote! { #id: crate::storage::FromRow::from_row(row)? }
        } else {
            let col = id.unraw().to_string();
            quote! { #id: row.take(#col)? }
        });
    }
    quote! {
        impl #impl_g crate::storage::FromRow for #name #ty_g #where_c {
            fn from_row(row: &mut crate::storage::Row) -> sqlx::Result<Self> {
                Ok(Self { #(#inits,)* })
            }
        }
    }
    .into()
}
