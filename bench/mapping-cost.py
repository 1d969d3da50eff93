"""Elasticsearch index cost of summary-mapping variants (bench/README.md, "Second pass").

Needs the summaries of a kept bench:e2e run in the stack's Elasticsearch:
    LOGSIFT_BENCH_LINES=200000 LOGSIFT_BENCH_KEEP=1 npm run bench:e2e && python3 bench/mapping-cost.py
Reads every `bench-e2e-*-summaries-*` document, then bulk-indexes the same documents (2,000 per
request) into fresh indices with (a) the shipped mapping, (b) param_values not indexed, (c) + samples
not indexed (the same as (b) since template v3, which stops indexing samples), (d) + params not indexed; prints wall time and Elasticsearch's index/refresh time, twice.
The integ-test distribution has no _reindex, hence the copy through this script.
"""
import json,urllib.request,time,copy
import os
ES=os.environ.get('ES_URL','http://127.0.0.1:19200')
def req(method,path,body=None,raw=None):
    data=raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    ct='application/x-ndjson' if raw is not None else 'application/json'
    r=urllib.request.Request(ES+path,data=data,method=method,headers={'content-type':ct})
    try:
        with urllib.request.urlopen(r,timeout=600) as f: return json.load(f)
    except urllib.error.HTTPError as e: return json.load(e)
src='bench-e2e-*-summaries-*'
docs=[]; after=None
while True:
    b={'size':5000,'sort':[{'_doc':'asc'}],'query':{'match_all':{}}}
    # _doc sort across indices isn't stable for search_after; use id+index via pit-less approach: sort by logsift.offset_first, kafka.partition
    b['sort']=[{'kafka.partition':'asc'},{'logsift.offset_first':'asc'},{'logsift.fingerprint':'asc'},{'@timestamp':'asc'}]
    if after: b['search_after']=after
    r=req('POST','/'+src+'/_search',b)
    hs=r['hits']['hits']
    if not hs: break
    for h in hs: docs.append((h['_id'],h['_source']))
    after=hs[-1]['sort']
print('docs',len(docs))
t=json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)),'..','schemas','elasticsearch','summaries.index-template.json')))
base=t['template']['mappings']
settings={'number_of_shards':1,'number_of_replicas':0,'refresh_interval':'5s','codec':'best_compression'}
A=copy.deepcopy(base)
B=copy.deepcopy(base); B['properties']['logsift']['properties']['param_values']={'type':'object','enabled':False}
C=copy.deepcopy(B); s=C['properties']['logsift']['properties']['samples']['properties']; s['first']={'type':'text','index':False}; s['last']={'type':'text','index':False}
D=copy.deepcopy(C); D['properties']['logsift']['properties']['params']={'type':'object','enabled':False}
chunks=[]
for i in range(0,len(docs),2000):
    lines=[]
    for id_,d in docs[i:i+2000]:
        lines.append(json.dumps({'index':{'_id':id_}})); lines.append(json.dumps(d))
    chunks.append(('\n'.join(lines)+'\n').encode())
# The variants start from the shipped mapping (samples already unindexed since template v3).
for rnd in range(2):
  for name,m in [('a',A),('b',B),('c',C),('d',D)]:
    idx=f'exp-{name}'
    req('DELETE','/'+idx)
    req('PUT','/'+idx,{'settings':{'index':settings},'mappings':m})
    t0=time.time()
    for ch in chunks:
        r=req('POST','/'+idx+'/_bulk',raw=ch)
        assert not r.get('errors'), str(r)[:300]
    req('POST','/'+idx+'/_refresh')
    dt=time.time()-t0
    st=req('GET','/'+idx+'/_stats/indexing,docs,refresh')['_all']['total']
    print(rnd,name,'wall %.2fs'%dt,'index_ms',st['indexing']['index_time_in_millis'],'refresh_ms',st['refresh']['total_time_in_millis'],'lucene',st['docs']['count'],flush=True)
